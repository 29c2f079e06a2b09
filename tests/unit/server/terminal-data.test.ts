import { TEXT_CHUNK_MAX, terminalDataBytes, toTerminalData } from '../../../server/contracts/terminal-data';

const all = (n: number, byte: number) => Buffer.alloc(n, byte);

describe('terminal:data on the wire', () => {
  test('a short chunk of ASCII, control characters included, goes as a string of one character per byte', () => {
    const echo = Buffer.from('a\r\n\x1b[01;32mroot@node1\x1b[00m:~# \x07\x08');
    const wire = toTerminalData(echo);
    expect(typeof wire).toBe('string');
    expect((wire as string).length).toBe(echo.length);
    expect(Buffer.from(terminalDataBytes(wire))).toEqual(echo);
  });

  test('a chunk with any byte above 0x7f stays bytes, so UTF-8 split across chunks and binary output arrive exact', () => {
    const halfEuro = Buffer.from([0x61, 0xe2, 0x82]);
    expect(toTerminalData(halfEuro)).toBe(halfEuro);
    const latin = Buffer.from([0x41, 0xff]);
    expect(toTerminalData(latin)).toBe(latin);
  });

  test('a chunk above the string limit stays bytes, even all ASCII', () => {
    expect(typeof toTerminalData(all(TEXT_CHUNK_MAX, 0x61))).toBe('string');
    const big = all(TEXT_CHUNK_MAX + 1, 0x61);
    expect(toTerminalData(big)).toBe(big);
  });

  test('bytes come back as they went, from a Uint8Array, an ArrayBuffer or a string', () => {
    const raw = Uint8Array.from([0, 1, 0x7f, 0x80, 0xff]);
    expect(terminalDataBytes(raw)).toBe(raw);
    expect(Array.from(terminalDataBytes(raw.buffer))).toEqual([0, 1, 0x7f, 0x80, 0xff]);
    expect(Array.from(terminalDataBytes('\x00A\x7f'))).toEqual([0, 0x41, 0x7f]);
    // Whatever a string holds, it counts one byte per character: the client's byte offsets never drift.
    expect(terminalDataBytes('\u20ac').length).toBe(1);
  });
});
