/** GitHub's limit on a comment body and on a check run's summary and text, in characters. */
export const GITHUB_TEXT_LIMIT = 65_536;

const encoder = new TextEncoder();

/** UTF-8 size of a string: never less than its length in characters, so a safe measure for GitHub's limits. */
export function utf8Length(text: string): number {
  return encoder.encode(text).length;
}

/** The longest prefix of `text` whose UTF-8 size is at most `bytes`, cut on a character boundary. */
function prefixWithin(text: string, bytes: number): string {
  const encoded = encoder.encode(text);
  if (encoded.length <= bytes) return text;
  let end = Math.max(0, bytes);
  // Step back over continuation bytes so no character is split.
  while (end > 0 && (encoded[end]! & 0xc0) === 0x80) end -= 1;
  return new TextDecoder().decode(encoded.subarray(0, end));
}

/** Options of {@link truncateMarkdown}. */
export interface TruncateOptions {
  /** The result is strictly shorter than this, in UTF-8 bytes (so also in characters). */
  limit?: number;
  /** The sentence appended when text is cut (a horizontal rule is put before it). */
  note?: string;
}

/** Text cut to fit, and whether anything was cut. */
export interface Truncated {
  text: string;
  truncated: boolean;
}

/**
 * Cuts markdown to fit under a size limit: at a line boundary, closing any `<details>` left
 * open, and ending with a note saying it was cut. Text that fits is returned unchanged.
 */
export function truncateMarkdown(text: string, options: TruncateOptions = {}): Truncated {
  const limit = options.limit ?? GITHUB_TEXT_LIMIT;
  if (utf8Length(text) < limit) return { text, truncated: false };
  const note = `\n\n---\n${options.note ?? 'This report was cut short to fit GitHub’s size limit.'}\n`;
  const closer = '\n</details>';
  // Room for the note and for closing every <details> the kept part may leave open.
  let budget = limit - 1 - utf8Length(note);
  let kept = '';
  for (let attempt = 0; attempt < 8 && budget > 0; attempt += 1) {
    kept = prefixWithin(text, budget);
    const lastBreak = kept.lastIndexOf('\n');
    if (lastBreak > 0) kept = kept.slice(0, lastBreak);
    const open = (kept.match(/<details>/g) ?? []).length - (kept.match(/<\/details>/g) ?? []).length;
    const closing = open > 0 ? closer.repeat(open) : '';
    const result = kept + closing + note;
    if (utf8Length(result) < limit) return { text: result, truncated: true };
    budget -= utf8Length(closing);
  }
  return { text: prefixWithin(note.trim(), limit - 1), truncated: true };
}
