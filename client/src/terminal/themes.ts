import type { ITheme } from '@xterm/xterm';

export const darkTerminal: ITheme = {
  background: '#0f1419',
  foreground: '#e6e6e6',
  cursor: '#f0c674',
  cursorAccent: '#0f1419',
  selectionBackground: '#3d5a80aa',
  black: '#1d1f21',
  red: '#ff6b6b',
  green: '#8fd88f',
  yellow: '#f0c674',
  blue: '#7fb2ff',
  magenta: '#d7a6ff',
  cyan: '#7fd8d8',
  white: '#d0d0d0',
  brightBlack: '#7a8087',
  brightRed: '#ff8a8a',
  brightGreen: '#a8e6a8',
  brightYellow: '#ffd98a',
  brightBlue: '#9cc4ff',
  brightMagenta: '#e2bfff',
  brightCyan: '#9fe6e6',
  brightWhite: '#ffffff',
};

export const lightTerminal: ITheme = {
  background: '#fbfbf8',
  foreground: '#1e1e1e',
  cursor: '#1e1e1e',
  cursorAccent: '#fbfbf8',
  selectionBackground: '#9cc4ff99',
  black: '#1e1e1e',
  red: '#b3261e',
  green: '#1f6f1f',
  yellow: '#7a5a00',
  blue: '#1a4fa0',
  magenta: '#7b2a9a',
  cyan: '#0b6b6b',
  white: '#5c5c5c',
  brightBlack: '#4a4a4a',
  brightRed: '#c62828',
  brightGreen: '#2e7d32',
  brightYellow: '#8d6e00',
  brightBlue: '#1565c0',
  brightMagenta: '#8e24aa',
  brightCyan: '#00838f',
  brightWhite: '#2b2b2b',
};

/**
 * The editor's colours, taken from the terminal's palette so the Editor tab
 * looks like the terminal beside it. Syntax colours are ANSI colours chosen
 * per theme for contrast on that theme's background (WCAG AA, 4.5:1, checked
 * by tests/unit/client/editor-theme.test.ts).
 */
export interface EditorPalette {
  dark: boolean;
  background: string;
  foreground: string;
  cursor: string;
  selection: string;
  /** Line numbers and other quiet text. */
  muted: string;
  syntax: {
    keyword: string;
    string: string;
    number: string;
    comment: string;
    property: string;
    definition: string;
    type: string;
    meta: string;
    invalid: string;
    heading: string;
  };
}

function paletteOf(t: ITheme, dark: boolean, muted: string): EditorPalette {
  return {
    dark,
    background: t.background!,
    foreground: t.foreground!,
    cursor: t.cursor!,
    selection: t.selectionBackground!,
    muted,
    syntax: {
      keyword: t.magenta!,
      string: t.green!,
      number: t.yellow!,
      comment: muted,
      property: t.blue!,
      definition: t.cyan!,
      type: t.cyan!,
      meta: t.yellow!,
      invalid: t.red!,
      heading: t.blue!,
    },
  };
}

export const darkEditor = paletteOf(darkTerminal, true, darkTerminal.brightBlack!);
export const lightEditor = paletteOf(lightTerminal, false, lightTerminal.white!);
