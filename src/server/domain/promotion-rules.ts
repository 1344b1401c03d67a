import type { PromotionRules } from '../../api/repos.js';
import { checkClaimRules, matchClaims } from '../oidc/claim-rules.js';
import { IDENTITY_CLAIMS } from '../oidc/identity.js';
import { ServiceError, type FieldErrors } from './errors.js';
import { describePackage, type PackageRow } from './package-writes.js';

const FIELD = 'promotion_rules';

/**
 * The build-identity fields a rule may name: what the service records of the OIDC token behind
 * an upload (see oidc/identity.ts). A rule on any other name could never match, so it is refused.
 */
export const PROMOTION_RULE_FIELDS: readonly string[] = ['issuer', 'subject', ...IDENTITY_CLAIMS];

/**
 * Checks promotion rules given by a caller and returns them with their keys sorted (so that the
 * stored text, and the audit trail's before/after, do not depend on the order they were sent
 * in). `{}` is no rule. 422 naming `promotion_rules.<field>` for an unknown field or a value the
 * claim-rule syntax refuses.
 */
export function checkPromotionRules(rules: PromotionRules): PromotionRules {
  const names = Object.keys(rules).sort();
  if (names.length === 0) return {};
  const fields: FieldErrors = {};
  for (const name of names) {
    if (!PROMOTION_RULE_FIELDS.includes(name)) {
      fields[`${FIELD}.${name}`] = [
        `'${name}' is not a build-identity field; use one of: ${PROMOTION_RULE_FIELDS.join(', ')}.`,
      ];
    }
  }
  // The same syntax as an OIDC provider's claim rules, checked by the same code.
  for (const [claim, problem] of Object.entries(checkClaimRules(rules))) {
    const key = claim === 'claims' ? FIELD : `${FIELD}.${claim}`;
    (fields[key] ??= []).push(problem);
  }
  const problems = Object.entries(fields);
  if (problems.length > 0) {
    const summary = problems.map(([k, v]) => `${k}: ${v.join(' ')}`).join('; ');
    throw new ServiceError('validation_failed', `Invalid promotion rules: ${summary}`, fields);
  }
  return Object.fromEntries(names.map((n) => [n, rules[n]!]));
}

function ruleText(field: string, rule: string): string {
  return rule.endsWith('.*') ? `${field} starting with '${rule.slice(0, -2)}'` : `${field} = '${rule}'`;
}

/**
 * Refuses (403 `promotion_rule_failed`) a package whose recorded build identity does not match
 * every rule of the repository it is being copied or moved into, naming the rule and the
 * package's value. A package uploaded with a plain API key has no identity and never passes a
 * repository that has rules. Applies to every caller: the rules belong to the repository, not to
 * a privilege.
 */
export function assertPromotionAllowed(
  pkg: Pick<PackageRow, 'format' | 'name' | 'version' | 'id' | 'identity'>,
  destPath: string,
  rules: PromotionRules,
): void {
  if (Object.keys(rules).length === 0) return;
  const refuse = (why: string): never => {
    throw new ServiceError(
      'promotion_rule_failed',
      `${destPath} accepts only packages whose build identity matches its promotion rules: the ${describePackage(pkg)} ${why}`,
    );
  };
  const identity = pkg.identity;
  if (!identity) {
    return refuse(
      'has no build identity (it was uploaded with an API key, not from a CI run through OIDC), ' +
        `so it cannot satisfy ${Object.entries(rules)
          .map(([f, r]) => ruleText(f, r))
          .join(', ')}.`,
    );
  }
  const match = matchClaims(rules, identity);
  if (match.ok) return;
  const rule = ruleText(match.claim, rules[match.claim] ?? '');
  if (match.reason === 'claim_missing') {
    return refuse(`fails the rule ${rule}: its build identity has no ${match.claim}.`);
  }
  if (match.reason === 'invalid_rule') {
    return refuse(
      `cannot be checked: the rule on ${match.claim} is malformed; a repository Admin must fix it.`,
    );
  }
  const value = identity[match.claim];
  const shown = typeof value === 'string' || typeof value === 'number' ? `'${String(value)}'` : 'not a value';
  return refuse(`fails the rule ${rule}: its ${match.claim} is ${shown}.`);
}
