import { CLASS_CODE_LENGTH, CODE_ALPHABET, formatCode, normalizeCode, randomCode } from '../../../server/classroom/codes';

describe('join codes', () => {
  test('the alphabet has no characters that look alike', () => {
    for (const ch of ['0', 'O', '1', 'l', 'I', 'o', 'i']) expect(CODE_ALPHABET).not.toContain(ch);
    expect(new Set(CODE_ALPHABET).size).toBe(CODE_ALPHABET.length);
  });

  test('codes use only the alphabet, at the length asked, and every character turns up', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const code = randomCode(CLASS_CODE_LENGTH);
      expect(code).toMatch(new RegExp(`^[${CODE_ALPHABET}]{${CLASS_CODE_LENGTH}}$`));
      for (const ch of code) seen.add(ch);
    }
    expect(seen.size).toBe(CODE_ALPHABET.length);
  });

  test('what people type is normalised: case, spaces and dashes do not matter', () => {
    expect(normalizeCode('abc-def')).toBe('ABCDEF');
    expect(normalizeCode(' AB CD EF ')).toBe('ABCDEF');
    expect(normalizeCode(formatCode('K7M4QX'))).toBe('K7M4QX');
    expect(formatCode('K7M4QX')).toBe('K7M-4QX');
  });

  test('input that cannot be a code is refused without a database lookup', () => {
    expect(normalizeCode('')).toBeNull();
    expect(normalizeCode('AB')).toBeNull();
    expect(normalizeCode('ABC0EF')).toBeNull(); // zero is not in the alphabet
    expect(normalizeCode("x' OR 1=1")).toBeNull();
    expect(normalizeCode('A'.repeat(17))).toBeNull();
  });
});
