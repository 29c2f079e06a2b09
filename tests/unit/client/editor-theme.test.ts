import { darkEditor, darkTerminal, lightEditor, lightTerminal, type EditorPalette } from '../../../client/src/terminal/themes';

/** WCAG relative luminance of #rrggbb. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

test.each([
  ['dark', darkEditor, darkTerminal],
  ['light', lightEditor, lightTerminal],
] as const)('the %s editor wears the terminal colours', (_name, editor, terminal) => {
  expect([editor.background, editor.foreground, editor.cursor, editor.selection]).toEqual([terminal.background, terminal.foreground, terminal.cursor, terminal.selectionBackground]);
  expect(editor.dark).toBe(_name === 'dark');
});

test.each([
  ['dark', darkEditor],
  ['light', lightEditor],
] as const)('every %s syntax colour reads on its background (WCAG AA, 4.5:1)', (_name, editor: EditorPalette) => {
  const weak = Object.entries({ ...editor.syntax, text: editor.foreground, muted: editor.muted })
    .map(([role, colour]) => [role, colour, Math.round(contrast(colour, editor.background) * 100) / 100] as const)
    .filter(([, , ratio]) => ratio < 4.5);
  expect(weak).toEqual([]);
});

test('keywords, strings, numbers and comments are told apart by colour', () => {
  for (const editor of [darkEditor, lightEditor]) {
    const { keyword, string, number, comment } = editor.syntax;
    expect(new Set([keyword, string, number, comment, editor.foreground]).size).toBe(5);
  }
});
