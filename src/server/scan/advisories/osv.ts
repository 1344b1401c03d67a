/**
 * The parts of the OSV schema (https://ossf.github.io/osv-schema/) that Airlock reads. Fields
 * it does not use are left out; unknown fields in a document are ignored, never rejected.
 */

/** One event of a range: exactly one of the keys is set. */
export interface OsvEvent {
  introduced?: string;
  fixed?: string;
  last_affected?: string;
  limit?: string;
}

/** A version range: SEMVER and ECOSYSTEM ranges are evaluated, GIT ranges are kept but not evaluated. */
export interface OsvRange {
  type: string;
  repo?: string;
  events: OsvEvent[];
}

/** A CVSS (or other) score attached to an advisory or to one affected package. */
export interface OsvSeverity {
  type: string;
  score: string;
}

/** One affected package with its ranges and/or its enumerated versions. */
export interface OsvAffected {
  package?: { ecosystem: string; name: string; purl?: string };
  ranges?: OsvRange[];
  versions?: string[];
  severity?: OsvSeverity[];
  database_specific?: Record<string, unknown>;
  ecosystem_specific?: Record<string, unknown>;
}

/** A link of an advisory (ADVISORY, FIX, WEB, PACKAGE, …). */
export interface OsvReference {
  type: string;
  url: string;
}

/** One OSV advisory document. */
export interface OsvAdvisory {
  schema_version?: string;
  id: string;
  modified: string;
  published?: string;
  withdrawn?: string;
  aliases?: string[];
  related?: string[];
  summary?: string;
  details?: string;
  severity?: OsvSeverity[];
  affected?: OsvAffected[];
  references?: OsvReference[];
  credits?: unknown[];
  database_specific?: Record<string, unknown>;
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Parses and checks one OSV document. Throws an error naming the first bad field when the text is
 * not JSON or lacks what import relies on (`id`, `modified`, well-formed `affected` entries).
 */
export function parseOsvAdvisory(text: string): OsvAdvisory {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!isObject(value)) throw new Error('the document is not a JSON object');
  if (!isString(value.id) || value.id.trim() === '') throw new Error('`id` must be a non-empty string');
  if (!isString(value.modified)) throw new Error(`${value.id}: \`modified\` must be a timestamp string`);
  for (const key of ['published', 'withdrawn', 'summary', 'details'] as const) {
    if (value[key] !== undefined && !isString(value[key])) {
      throw new Error(`${value.id}: \`${key}\` must be a string`);
    }
  }
  for (const key of ['aliases', 'related'] as const) {
    const list = value[key];
    if (list !== undefined && !(Array.isArray(list) && list.every(isString))) {
      throw new Error(`${value.id}: \`${key}\` must be a list of strings`);
    }
  }
  checkSeverity(value.id, 'severity', value.severity);
  if (value.references !== undefined) {
    if (!Array.isArray(value.references) || !value.references.every((r) => isObject(r) && isString(r.url))) {
      throw new Error(`${value.id}: \`references\` must be a list of {type, url}`);
    }
  }
  if (value.affected !== undefined) {
    if (!Array.isArray(value.affected)) throw new Error(`${value.id}: \`affected\` must be a list`);
    value.affected.forEach((a, i) => checkAffected(value.id as string, i, a));
  }
  return value as unknown as OsvAdvisory;
}

function checkSeverity(id: string, where: string, severity: unknown): void {
  if (severity === undefined) return;
  if (
    !Array.isArray(severity) ||
    !severity.every((s) => isObject(s) && isString(s.type) && isString(s.score))
  ) {
    throw new Error(`${id}: \`${where}\` must be a list of {type, score}`);
  }
}

function checkAffected(id: string, index: number, a: unknown): void {
  const where = `affected[${index}]`;
  if (!isObject(a)) throw new Error(`${id}: \`${where}\` must be an object`);
  if (a.package !== undefined) {
    const pkg = a.package;
    if (!isObject(pkg) || !isString(pkg.ecosystem) || !isString(pkg.name)) {
      throw new Error(`${id}: \`${where}.package\` needs string \`ecosystem\` and \`name\``);
    }
  }
  if (a.versions !== undefined && !(Array.isArray(a.versions) && a.versions.every(isString))) {
    throw new Error(`${id}: \`${where}.versions\` must be a list of strings`);
  }
  if (a.ranges !== undefined) {
    if (!Array.isArray(a.ranges)) throw new Error(`${id}: \`${where}.ranges\` must be a list`);
    a.ranges.forEach((r, j) => {
      if (!isObject(r) || !isString(r.type) || !Array.isArray(r.events)) {
        throw new Error(`${id}: \`${where}.ranges[${j}]\` needs a string \`type\` and an \`events\` list`);
      }
      for (const e of r.events) {
        if (!isObject(e) || !Object.values(e).every(isString)) {
          throw new Error(`${id}: \`${where}.ranges[${j}].events\` must hold objects of version strings`);
        }
      }
    });
  }
  checkSeverity(id, `${where}.severity`, a.severity);
}
