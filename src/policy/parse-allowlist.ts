import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { expiryInstant, type AllowlistEntry } from './allowlist.js';

const ENTRY_KEYS = ['id', 'package', 'expires', 'reason'] as const;
const FORMAT_HINT =
  'Write a list of entries (or `allowlist:` followed by one), each like `- id: CVE-2024-1234` with optional `package`, `expires` (YYYY-MM-DD) and `reason`.';

/** Reads `name` or `name@version` (the `@` of an npm scope is part of the name). */
function parsePackageText(text: string): { name: string; version?: string } {
  const at = text.lastIndexOf('@');
  if (at <= 0) return { name: text };
  return { name: text.slice(0, at), version: text.slice(at + 1) };
}

class EntryReader {
  constructor(
    private readonly source: string,
    private readonly lines: LineCounter,
  ) {}

  private where(index: number, node: Node | null | undefined): string {
    const line = node?.range ? ` (line ${this.lines.linePos(node.range[0]).line})` : '';
    return `${this.source}: entry ${index + 1}${line}`;
  }

  read(index: number, node: Node | null): AllowlistEntry {
    if (isScalar(node) && typeof node.value === 'string' && node.value.trim()) {
      return { index, id: node.value.trim() };
    }
    if (!isMap(node)) throw new Error(`${this.where(index, node)} is not a mapping. ${FORMAT_HINT}`);
    const raw = node.toJSON() as Record<string, unknown>;
    const unknown = Object.keys(raw).filter((k) => !(ENTRY_KEYS as readonly string[]).includes(k));
    if (unknown.length) {
      throw new Error(
        `${this.where(index, node)} has unknown key ${unknown.map((k) => `\`${k}\``).join(', ')}; allowed keys are ${ENTRY_KEYS.join(', ')}.`,
      );
    }
    const entry: AllowlistEntry = { index, id: this.readId(index, node, raw.id) };
    if (raw.package !== undefined && raw.package !== null)
      entry.package = this.readPackage(index, node, raw.package);
    if (raw.expires !== undefined && raw.expires !== null)
      entry.expires = this.readExpires(index, node, raw.expires);
    if (raw.reason !== undefined && raw.reason !== null) entry.reason = String(raw.reason).trim();
    return entry;
  }

  private readId(index: number, node: Node, id: unknown): string {
    if (typeof id !== 'string' || !id.trim()) {
      throw new Error(
        `${this.where(index, node)} has no \`id\`: every entry needs the advisory id or alias it accepts (e.g. \`id: CVE-2024-1234\`).`,
      );
    }
    return id.trim();
  }

  private readPackage(index: number, node: Node, pkg: unknown): { name: string; version?: string } {
    if (typeof pkg === 'string' && pkg.trim()) return parsePackageText(pkg.trim());
    if (typeof pkg === 'object' && pkg !== null && !Array.isArray(pkg)) {
      const { name, version, ...rest } = pkg as Record<string, unknown>;
      if (typeof name === 'string' && name.trim() && Object.keys(rest).length === 0) {
        if (version === undefined || version === null) return { name: name.trim() };
        if (typeof version === 'string' || typeof version === 'number') {
          return { name: name.trim(), version: String(version).trim() };
        }
      }
    }
    throw new Error(
      `${this.where(index, node)} has an unreadable \`package\`; write \`package: NAME\`, \`package: NAME@VERSION\` or \`package: {name: NAME, version: VERSION}\`.`,
    );
  }

  private readExpires(index: number, node: Node, expires: unknown): string {
    const text = expires instanceof Date ? expires.toISOString() : String(expires).trim();
    if (typeof expires === 'boolean' || expiryInstant(text) === undefined) {
      throw new Error(
        `${this.where(index, node)} has \`expires: ${String(expires)}\`, which is not a date; use YYYY-MM-DD (valid through that day, UTC) or an ISO 8601 date-time such as 2025-06-30T12:00:00Z.`,
      );
    }
    return text;
  }
}

/**
 * Parses an allowlist file: a YAML list of entries, or a mapping with an `allowlist:` list. An
 * entry is a mapping with `id` (advisory id or alias) and optional `package` (`name`,
 * `name@version` or `{name, version}`), `expires` and `reason`; a bare string is an entry with
 * only an id. Throws an Error naming `source`, the entry and its line for anything unreadable.
 */
export function parseAllowlist(text: string, source = 'allowlist'): AllowlistEntry[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  const error = doc.errors[0];
  if (error) throw new Error(`${source} is not valid YAML: ${error.message.split('\n')[0]}`);
  let list: Node | null = doc.contents;
  if (list === null || (isScalar(list) && (list.value === null || list.value === ''))) return [];
  if (isMap(list)) {
    const keys = list.items.map((p) => (isScalar(p.key) ? String(p.key.value) : ''));
    if (keys.length !== 1 || keys[0] !== 'allowlist') {
      throw new Error(
        `${source} has top-level key(s) ${keys.join(', ')}, expected only \`allowlist\`. ${FORMAT_HINT}`,
      );
    }
    list = (list.items[0]?.value ?? null) as Node | null;
    if (list === null || (isScalar(list) && list.value === null)) return [];
  }
  if (!isSeq(list)) throw new Error(`${source} is not a list of entries. ${FORMAT_HINT}`);
  const reader = new EntryReader(source, lines);
  return list.items.map((item, i) => reader.read(i, item as Node | null));
}
