import { Scrollback } from '../../../server/terminal/scrollback';

describe('Scrollback', () => {
  test('reads back exactly the bytes after a sequence number', () => {
    const sb = new Scrollback(16);
    sb.append(Buffer.from('hello '));
    sb.append(Buffer.from('world'));
    expect(sb.end).toBe(11);
    expect(sb.read(0).data.toString()).toBe('hello world');
    expect(sb.read(6)).toEqual({ seq: 6, data: Buffer.from('world'), gap: false });
    expect(sb.read(11).data.length).toBe(0);
  });

  test('wraps around without losing or reordering bytes', () => {
    const sb = new Scrollback(8);
    sb.append(Buffer.from('abcdef'));
    sb.append(Buffer.from('ghij'));
    expect(sb.start).toBe(2);
    expect(sb.read(2).data.toString()).toBe('cdefghij');
    expect(sb.read(5, 3).data.toString()).toBe('fgh');
  });

  test('a reader that fell out of the buffer is told so and continues at the oldest byte', () => {
    const sb = new Scrollback(4);
    sb.append(Buffer.from('0123456789'));
    expect(sb.read(1)).toEqual({ seq: 6, data: Buffer.from('6789'), gap: true });
  });

  test('a chunk larger than the buffer keeps its tail', () => {
    const sb = new Scrollback(4);
    sb.append(Buffer.from('xy'));
    sb.append(Buffer.from('abcdefgh'));
    expect(sb.end).toBe(10);
    expect(sb.read(0)).toEqual({ seq: 6, data: Buffer.from('efgh'), gap: true });
  });

  test('multibyte characters split across chunks come back whole when read as bytes', () => {
    const sb = new Scrollback(64);
    const text = Buffer.from('héllo ✓ wörld');
    for (let i = 0; i < text.length; i += 3) sb.append(text.subarray(i, i + 3));
    expect(sb.read(0).data.toString('utf8')).toBe('héllo ✓ wörld');
  });
});
