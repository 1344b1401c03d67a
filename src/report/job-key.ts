// A job's key and its comment's marker: what the settings need from the pull-request comment, kept
// apart from its renderer (markdown, findings tables) so that reading inputs does not load that.

/** Identifies one workflow job (and matrix combination, and step) so each gets its own comment. */
export interface JobIdentity {
  workflow: string;
  job: string;
  /** The job's matrix values (`${{ toJSON(matrix) }}`), when it is a matrix job. */
  matrix?: Record<string, unknown> | null;
  /** Set when one job reports from more than one step. */
  step?: string;
}

/** Keeps a key readable and safe inside an HTML comment (no `--`, no `>`); `allowed` lists what else may stay. */
function sanitise(text: string, allowed: RegExp): string {
  return text.trim().replace(allowed, '_').replace(/-{2,}/g, '-');
}

// Parts of a key may not contain the characters that join the parts.
const PART_UNSAFE = /[^A-Za-z0-9._:+@/-]+/g;
const KEY_UNSAFE = /[^A-Za-z0-9._:=,+@/#[\]-]+/g;

function keyPart(text: string): string {
  return sanitise(text, PART_UNSAFE);
}

function matrixValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * A stable key for a workflow job: `workflow/job`, plus the matrix values sorted by name
 * (`[node=20,os=ubuntu-latest]`) and the step, so matrix jobs get distinct comments.
 */
export function makeJobKey(id: JobIdentity): string {
  let key = `${keyPart(id.workflow)}/${keyPart(id.job)}`;
  const entries = Object.entries(id.matrix ?? {}).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length)
    key += `[${entries.map(([k, v]) => `${keyPart(k)}=${keyPart(matrixValue(v))}`).join(',')}]`;
  if (id.step) key += `#${keyPart(id.step)}`;
  return key;
}

/** The hidden marker that finds a job's comment again: `<!-- airlock:<job-key> -->`. */
export function commentMarker(jobKey: string): string {
  return `<!-- airlock:${sanitise(jobKey, KEY_UNSAFE)} -->`;
}
