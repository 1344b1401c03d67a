/**
 * What callers may put in the text they name things with. Identifiers (package names, versions,
 * tags, file names, repository slugs and names) may hold no control character at all; free text
 * (summaries, descriptions) may hold newlines and tabs but nothing else of the kind. Either way
 * the bidirectional controls that make text read differently from what it is are refused: a
 * name must show a terminal, a log or a web page exactly what it is.
 */

/** `identifier`: no control characters; `text`: newlines and tabs allowed. */
export type TextKind = 'identifier' | 'text';

// C0 controls, DEL, C1 controls; the bidirectional marks, embeddings, overrides and isolates
// (U+061C, U+200E/F, U+202A–202E, U+2066–2069); the line and paragraph separators.
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

const NAMES: Record<number, string> = {
  0x00: 'NUL',
  0x09: 'tab',
  0x0a: 'newline',
  0x0d: 'carriage return',
  0x1b: 'ESC, which starts terminal escape sequences',
  0x7f: 'DEL',
  0x061c: 'arabic letter mark',
  0x200e: 'left-to-right mark',
  0x200f: 'right-to-left mark',
  0x2028: 'line separator',
  0x2029: 'paragraph separator',
  0x202a: 'left-to-right embedding',
  0x202b: 'right-to-left embedding',
  0x202c: 'pop directional formatting',
  0x202d: 'left-to-right override',
  0x202e: 'right-to-left override',
  0x2066: 'left-to-right isolate',
  0x2067: 'right-to-left isolate',
  0x2068: 'first strong isolate',
  0x2069: 'pop directional isolate',
};

/** `U+001B (ESC, …)`: how a refused character is named in a message (never the character itself). */
export function describeCharacter(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  const name =
    NAMES[code] ?? (code >= 0x80 && code <= 0x9f ? 'a C1 control character' : 'a control character');
  return `${hex} (${name})`;
}

/**
 * Why `value` may not stand as text of `kind`, or null when it may. The message names the first
 * refused character by code point and its position (1-based), without repeating the value, so
 * that the error itself is safe to print.
 */
export function textProblem(value: string, kind: TextKind): string | null {
  for (const match of value.matchAll(FORBIDDEN)) {
    const ch = match[0];
    const at = match.index;
    if (kind === 'text' && (ch === '\n' || ch === '\t')) continue;
    // A Windows line ending is a newline too.
    if (kind === 'text' && ch === '\r' && value[at + 1] === '\n') continue;
    const what = kind === 'identifier' ? 'an identifier' : 'text';
    return `must not contain ${describeCharacter(ch)} (character ${at + 1}): ${what} here may hold no control or bidirectional formatting characters${kind === 'text' ? ' other than newlines and tabs' : ''}.`;
  }
  return null;
}

/**
 * Makes text inert for a terminal or a markdown page: every character {@link textProblem} would
 * refuse (newlines and tabs too, since a name is one line) is shown as its `\u{…}` escape.
 */
export function escapeControls(value: string): string {
  return value.replace(FORBIDDEN, (ch) => `\\u{${(ch.codePointAt(0) ?? 0).toString(16)}}`);
}
