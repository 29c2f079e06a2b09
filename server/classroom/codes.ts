import crypto from 'node:crypto';

/**
 * Join codes are read off a projector and typed on school keyboards: upper
 * case, no characters that look alike (0/O, 1/l/I), compared after dropping
 * spaces and dashes and ignoring case.
 */
export const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const CLASS_CODE_LENGTH = 6;
/** One-time codes are printed, not projected; longer, since a whole list exists at once. */
export const ONE_TIME_CODE_LENGTH = 8;

export function randomCode(length: number): string {
  let out = '';
  // Rejection sampling: every character equally likely (256 is not a multiple of 31).
  const limit = 256 - (256 % CODE_ALPHABET.length);
  while (out.length < length) {
    for (const byte of crypto.randomBytes(length * 2)) {
      if (byte < limit && out.length < length) out += CODE_ALPHABET[byte % CODE_ALPHABET.length];
    }
  }
  return out;
}

/** What a student typed, as stored: upper case, separators gone. Null if it cannot be a code. */
export function normalizeCode(input: string): string | null {
  const code = input.replace(/[\s-]+/g, '').toUpperCase();
  if (code.length < 4 || code.length > 16) return null;
  for (const ch of code) if (!CODE_ALPHABET.includes(ch)) return null;
  return code;
}

/** For the projector and the printed list: `ABC-DEF`. */
export function formatCode(code: string): string {
  return code.length > 4 ? `${code.slice(0, Math.ceil(code.length / 2))}-${code.slice(Math.ceil(code.length / 2))}` : code;
}
