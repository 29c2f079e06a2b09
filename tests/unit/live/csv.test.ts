import { csvCell, parseCsv, toCsv } from '../../../server/live/csv';

describe('csv cells', () => {
  test('plain values are written as they are', () => {
    expect(csvCell('Ada')).toBe('Ada');
    expect(csvCell(42)).toBe('42');
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(2.5)).toBe('2.5');
    expect(csvCell(true)).toBe('true');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(Number.NaN)).toBe('');
    expect(csvCell('2026-11-29T08:00:00Z')).toBe('2026-11-29T08:00:00Z');
  });

  test('commas, quotes and line breaks are quoted (RFC 4180)', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('cr\rlf')).toBe('"cr\rlf"');
  });

  test('text that a spreadsheet would run as a formula starts with an apostrophe', () => {
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('+SUM(A1)')).toBe("'+SUM(A1)");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@cmd')).toBe("'@cmd");
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell('a=b')).toBe('a=b');
  });
});

describe('csv files', () => {
  const columns = ['name', 'n', 'note'] as const;
  const rows = [
    { name: 'Zoë', n: 1, note: 'fine' },
    { name: 'Bob, Jr.', n: null, note: 'line1\r\nline2 "quoted"' },
    { name: '@evil', n: 0, note: '' },
  ];

  test('header, CRLF lines, BOM for Excel', () => {
    const text = toCsv(columns, rows);
    expect(text.startsWith('\uFEFFname,n,note\r\n')).toBe(true);
    expect(text.endsWith('\r\n')).toBe(true);
  });

  test('parses back to the same fields', () => {
    expect(parseCsv(toCsv(columns, rows))).toEqual([
      ['name', 'n', 'note'],
      ['Zoë', '1', 'fine'],
      ['Bob, Jr.', '', 'line1\r\nline2 "quoted"'],
      ["'@evil", '0', ''],
    ]);
  });

  test('the parser reads a last line without a line break and empty fields', () => {
    expect(parseCsv('a,,c\n"x""y",2')).toEqual([
      ['a', '', 'c'],
      ['x"y', '2'],
    ]);
  });
});
