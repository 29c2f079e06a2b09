import { TerminalStream } from '../../../client/src/logic/terminal-stream';

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('TerminalStream', () => {
  test('a fresh terminal attaches from 0 and counts what it writes', () => {
    const s = new TerminalStream();
    expect(s.attachFrom()).toBe(0);
    const got = s.accept(0, bytes('hello '));
    expect(text(got!.bytes)).toBe('hello ');
    s.accept(6, bytes('world'));
    expect(s.count).toBe(11);
    expect(s.attachFrom()).toBe(11);
  });

  test('accepts ArrayBuffer payloads (what socket.io delivers in browsers)', () => {
    const s = new TerminalStream();
    const buf = bytes('abc').buffer;
    expect(text(s.accept(0, buf)!.bytes)).toBe('abc');
  });

  test('accepts a short ASCII chunk sent as a string, one byte per character, and counts it in bytes', () => {
    const s = new TerminalStream();
    s.accept(0, '\x1b[1m$ ');
    const got = s.accept(6, 'ls\r\n');
    expect(text(got!.bytes)).toBe('ls\r\n');
    expect(s.count).toBe(10);
    // A replay that overlaps a string chunk is trimmed by bytes too.
    expect(s.accept(8, bytes('\r\nfile\r\n'))!.duplicate).toBe(2);
  });

  test('a reconnect replay that overlaps is trimmed: nothing doubled', () => {
    const s = new TerminalStream();
    s.accept(0, bytes('line1\r\nline2\r\n'));
    // server replays from an earlier offset than the client asked for
    const got = s.accept(7, bytes('line2\r\nline3\r\n'));
    expect(text(got!.bytes)).toBe('line3\r\n');
    expect(got!.duplicate).toBe(7);
    expect(s.count).toBe(21);
  });

  test('a chunk entirely seen before is dropped but reported for acknowledgement', () => {
    const s = new TerminalStream();
    s.accept(0, bytes('0123456789'));
    const got = s.accept(2, bytes('2345'));
    expect(got!.bytes.byteLength).toBe(0);
    expect(got!.duplicate).toBe(4);
    expect(s.count).toBe(10);
  });

  test('multi-byte UTF-8 split across chunks is passed through byte-exact', () => {
    const s = new TerminalStream();
    const all = bytes('héllo ✓ ok');
    const out: number[] = [];
    for (let i = 0; i < all.length; i += 3) {
      const chunk = all.slice(i, i + 3);
      out.push(...s.accept(i, chunk)!.bytes);
    }
    expect(text(new Uint8Array(out))).toBe('héllo ✓ ok');
  });

  test('replay over a split point keeps exactly the unseen bytes of a multi-byte char', () => {
    const s = new TerminalStream();
    const all = bytes('a✓b'); // ✓ is 3 bytes: offsets 1..3
    s.accept(0, all.slice(0, 2)); // 'a' + first byte of ✓
    const got = s.accept(0, all); // full replay after reconnect
    expect(Array.from(got!.bytes)).toEqual(Array.from(all.slice(2)));
  });

  test('terminal:reset sets the count to the new sequence', () => {
    const s = new TerminalStream();
    s.accept(0, bytes('old output'));
    s.reset(5000);
    expect(s.attachFrom()).toBe(5000);
    expect(s.accept(4990, bytes('x'))!.bytes.byteLength).toBe(0);
    expect(text(s.accept(5000, bytes('new'))!.bytes)).toBe('new');
  });

  test('a gap (server skipped bytes) is reported and counting continues', () => {
    const s = new TerminalStream();
    s.accept(0, bytes('abc'));
    const got = s.accept(10, bytes('xyz'));
    expect(got!.gap).toBe(7);
    expect(s.count).toBe(13);
  });

  test('malformed sequence numbers are ignored', () => {
    const s = new TerminalStream();
    expect(s.accept(-1, bytes('a'))).toBeNull();
    expect(s.accept(Number.NaN, bytes('a'))).toBeNull();
    expect(s.count).toBe(0);
  });

  test('clear starts over (page-reload semantics: from 0, full scrollback replay once)', () => {
    const s = new TerminalStream();
    s.accept(0, bytes('abc'));
    s.clear();
    expect(s.attachFrom()).toBe(0);
    expect(text(s.accept(0, bytes('abc'))!.bytes)).toBe('abc');
  });
});
