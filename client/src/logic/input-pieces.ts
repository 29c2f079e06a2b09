/**
 * A paste can be larger than the server takes in one message (BERTH_MAX_MESSAGE,
 * 4m by default): such a message is refused whole, and the paste would vanish.
 * Input is therefore sent in pieces well under any sensible setting of it.
 */

/** Bytes of UTF-8 per `terminal:input` message; BERTH_MAX_MESSAGE must be at least this (docs/deploy.md). */
export const INPUT_PIECE_BYTES = 16 * 1024;

/** UTF-8 bytes of one code point. */
function utf8Bytes(codePoint: number): number {
  return codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
}

/**
 * `text` cut into pieces of at most `maxBytes` UTF-8 bytes each, in order,
 * never inside a character (a surrogate pair stays whole). Short input, the
 * usual keystroke, comes back as itself.
 */
export function inputPieces(text: string, maxBytes = INPUT_PIECE_BYTES): string[] {
  if (text.length * 3 <= maxBytes) return [text]; // cannot exceed: at most 3 bytes per UTF-16 unit
  const pieces: string[] = [];
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    const units = cp > 0xffff ? 2 : 1;
    const size = utf8Bytes(cp);
    if (bytes + size > maxBytes && i > start) {
      pieces.push(text.slice(start, i));
      start = i;
      bytes = 0;
    }
    bytes += size;
    i += units;
  }
  if (start < text.length) pieces.push(text.slice(start));
  return pieces;
}
