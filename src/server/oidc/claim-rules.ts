/**
 * Claim rules of a trusted provider: every configured claim must be present in the token and
 * equal to the rule's value, or start with the rule's prefix when the rule ends in `.*`.
 * A `*` anywhere else is not a wildcard and is refused when the rule is written; a stored rule
 * that carries one anyway never matches.
 */

const WILDCARD_SUFFIX = '.*';

/** Most rules one provider may carry. */
export const MAX_CLAIM_RULES = 50;

/** Why a rule set is unacceptable, per claim, or an empty object when it is fine. */
export function checkClaimRules(rules: Record<string, string>): Record<string, string> {
  const problems: Record<string, string> = {};
  const names = Object.keys(rules);
  if (names.length === 0) {
    problems.claims =
      'At least one claim rule is required: an issuer such as GitHub signs tokens for every organisation, ' +
      'so trust must be narrowed, e.g. {"repository_owner": "my-org"}.';
    return problems;
  }
  if (names.length > MAX_CLAIM_RULES) {
    problems.claims = `At most ${MAX_CLAIM_RULES} claim rules are allowed, got ${names.length}.`;
    return problems;
  }
  let constrains = false;
  for (const [claim, rule] of Object.entries(rules)) {
    if (claim.trim() === '') problems.claims = 'A claim name must not be empty.';
    else if (rule === '')
      problems[claim] = `Claim '${claim}' needs a value to match (a value ending in '.*' matches a prefix).`;
    else if (!isWellFormedRule(rule))
      problems[claim] =
        `Claim '${claim}' has the rule '${rule}': a wildcard is allowed only as '.*' at the very end of a value.`;
    else if (rule !== WILDCARD_SUFFIX) constrains = true;
  }
  if (Object.keys(problems).length === 0 && !constrains) {
    problems.claims =
      "At least one claim rule must constrain its value: a rule of only '.*' matches every token.";
  }
  return problems;
}

/** True when the only `*` in the rule is the one of a trailing `.*`. */
export function isWellFormedRule(rule: string): boolean {
  const body = rule.endsWith(WILDCARD_SUFFIX) ? rule.slice(0, -WILDCARD_SUFFIX.length) : rule;
  return !body.includes('*');
}

/** The characters after which a trailing `.*` matches only whole path or claim segments. */
const SEGMENT_SEPARATORS = ['/', ':'];

/**
 * Warnings for rules that are valid but probably wider than meant: a `.*` is a raw prefix, so
 * `repo:owner/app.*` also matches `repo:owner/app-evil-fork:…`. A wildcard right after `/` or `:`
 * (or a rule of only `.*`, which says "any value" on purpose) gets none.
 */
export function claimRuleWarnings(rules: Record<string, string>): string[] {
  const warnings: string[] = [];
  for (const [claim, rule] of Object.entries(rules)) {
    if (!rule.endsWith(WILDCARD_SUFFIX) || !isWellFormedRule(rule)) continue;
    const prefix = rule.slice(0, -WILDCARD_SUFFIX.length);
    if (prefix === '' || SEGMENT_SEPARATORS.includes(prefix.at(-1)!)) continue;
    warnings.push(
      `claims.${claim}: '${rule}' also matches '${prefix}-evil-fork…'; ` +
        `end the pattern with ':' or '/' before '.*'`,
    );
  }
  return warnings;
}

/** The outcome of matching a token's claims against a provider's rules. */
export type ClaimMatch =
  { ok: true } | { ok: false; reason: 'claim_missing' | 'claim_mismatch' | 'invalid_rule'; claim: string };

/** Checks every rule against the verified claims; reports the first claim that fails. */
export function matchClaims(rules: Record<string, string>, claims: Record<string, unknown>): ClaimMatch {
  for (const [claim, rule] of Object.entries(rules)) {
    if (!isWellFormedRule(rule) || rule === '') return { ok: false, reason: 'invalid_rule', claim };
    if (
      !Object.prototype.hasOwnProperty.call(claims, claim) ||
      claims[claim] === null ||
      claims[claim] === undefined
    ) {
      return { ok: false, reason: 'claim_missing', claim };
    }
    const candidates = claimStrings(claims[claim]);
    if (!candidates.some((value) => valueMatches(rule, value))) {
      return { ok: false, reason: 'claim_mismatch', claim };
    }
  }
  return { ok: true };
}

function valueMatches(rule: string, value: string): boolean {
  if (rule.endsWith(WILDCARD_SUFFIX)) return value.startsWith(rule.slice(0, -WILDCARD_SUFFIX.length));
  return value === rule;
}

// Scalars compare by their text (GitHub sends run ids as strings, other vendors as numbers); an
// array claim (`aud`, groups) matches when one of its scalar members does. Objects never match.
function claimStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value === 'number' || typeof value === 'boolean') return [String(value)];
  if (Array.isArray(value)) return value.flatMap((v) => (Array.isArray(v) ? [] : claimStrings(v)));
  return [];
}
