import { INPUT_PIECE_BYTES, inputPieces } from '../../../client/src/logic/input-pieces';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

test('a keystroke or a short paste is sent as it is', () => {
  expect(inputPieces('l')).toEqual(['l']);
  expect(inputPieces('echo hi\r')).toEqual(['echo hi\r']);
  expect(inputPieces('')).toEqual(['']);
});

test('a paste larger than one message is cut into pieces under the limit that add up to it', () => {
  const paste = 'x'.repeat(5 * 1024 * 1024 + 7); // over BERTH_MAX_MESSAGE's default of 4m
  const pieces = inputPieces(paste);
  expect(pieces.length).toBe(Math.ceil(paste.length / INPUT_PIECE_BYTES));
  for (const p of pieces) expect(bytes(p)).toBeLessThanOrEqual(INPUT_PIECE_BYTES);
  expect(pieces.join('')).toBe(paste);
});

test('pieces are counted in UTF-8 bytes and never cut a character, surrogate pairs included', () => {
  const paste = 'aé€😀'.repeat(3000); // 1 + 2 + 3 + 4 bytes
  const pieces = inputPieces(paste, 1000);
  expect(pieces.join('')).toBe(paste);
  for (const p of pieces) {
    expect(bytes(p)).toBeLessThanOrEqual(1000);
    expect(bytes(p)).toBeGreaterThan(990); // filled, not cut early
    expect(p).not.toMatch(/^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/);
    expect(Buffer.from(p, 'utf8').toString('utf8')).toBe(p);
  }
});
