/**
 * CodeMirror 6 as the editor needs it: basicSetup (search and replace,
 * history, brackets, keyboard shortcuts), a syntax per file, the terminal's
 * colours (dark or light, following the page's switch), and Ctrl/Cmd-S. Languages load on demand so a
 * student who only edits YAML never downloads the Python grammar.
 */
import { basicSetup } from 'codemirror';
import { Compartment, EditorState, type Extension } from '@codemirror/state';
import { EditorView, keymap } from '@codemirror/view';
import { indentWithTab } from '@codemirror/commands';
import { HighlightStyle, StreamLanguage, syntaxHighlighting } from '@codemirror/language';
import { tags as t } from '@lezer/highlight';
import type { EditorLanguage } from '../../logic/editor-files';
import { darkEditor, lightEditor, type EditorPalette } from '../../terminal/themes';
import { getTheme, onTheme, type Theme } from '../../theme';

async function languageExtension(lang: EditorLanguage): Promise<Extension> {
  switch (lang) {
    case 'dockerfile':
      return StreamLanguage.define((await import('@codemirror/legacy-modes/mode/dockerfile')).dockerFile);
    case 'shell':
      return StreamLanguage.define((await import('@codemirror/legacy-modes/mode/shell')).shell);
    case 'nginx':
      return StreamLanguage.define((await import('@codemirror/legacy-modes/mode/nginx')).nginx);
    case 'ini':
      return StreamLanguage.define((await import('@codemirror/legacy-modes/mode/properties')).properties);
    case 'yaml':
      return (await import('@codemirror/lang-yaml')).yaml();
    case 'python':
      return (await import('@codemirror/lang-python')).python();
    case 'javascript':
      return (await import('@codemirror/lang-javascript')).javascript();
    case 'json':
      return (await import('@codemirror/lang-json')).json();
    case 'markdown':
      return (await import('@codemirror/lang-markdown')).markdown();
    default:
      return [];
  }
}

/** The terminal's colours for the text, and Berth's page variables for the chrome around it (search panel). */
function paletteTheme(p: EditorPalette): Extension {
  const tint = (c: string, pct: number) => `color-mix(in srgb, ${c} ${pct}%, transparent)`;
  const view = EditorView.theme(
    {
      '&': { height: '100%', backgroundColor: p.background, color: p.foreground, fontSize: '14px' },
      '.cm-scroller': { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace' },
      '.cm-content': { caretColor: p.cursor },
      '.cm-cursor, .cm-dropCursor': { borderLeftColor: p.cursor },
      '.cm-gutters': { backgroundColor: p.background, color: p.muted, borderRight: `1px solid ${tint(p.muted, 35)}` },
      '.cm-activeLine': { backgroundColor: tint(p.cursor, 7) },
      '.cm-activeLineGutter': { backgroundColor: tint(p.cursor, 12), color: p.foreground },
      '&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection': { backgroundColor: `${p.selection} !important` },
      '.cm-matchingBracket': { outline: `1px solid ${p.muted}`, backgroundColor: 'transparent' },
      '.cm-panels': { backgroundColor: 'var(--bg2)', color: 'var(--fg)' },
      '.cm-panels input, .cm-panels button': { color: 'var(--fg)', backgroundColor: 'var(--bg3)', border: '1px solid var(--line)' },
      '.cm-searchMatch': { backgroundColor: tint(p.syntax.number, 30) },
      '.cm-highlighted': { backgroundColor: tint(p.syntax.number, 35) },
    },
    { dark: p.dark },
  );
  const s = p.syntax;
  const highlight = HighlightStyle.define([
    { tag: [t.keyword, t.controlKeyword, t.definitionKeyword, t.moduleKeyword, t.operatorKeyword, t.modifier], color: s.keyword },
    { tag: [t.string, t.special(t.string), t.regexp, t.character, t.inserted], color: s.string },
    { tag: [t.number, t.bool, t.null, t.atom, t.unit, t.constant(t.name)], color: s.number },
    { tag: [t.comment, t.lineComment, t.blockComment, t.docComment], color: s.comment, fontStyle: 'italic' },
    { tag: [t.propertyName, t.attributeName, t.definition(t.propertyName), t.labelName], color: s.property },
    { tag: [t.definition(t.variableName), t.function(t.variableName), t.function(t.propertyName), t.macroName], color: s.definition },
    { tag: [t.typeName, t.className, t.namespace, t.tagName], color: s.type },
    { tag: [t.meta, t.processingInstruction, t.annotation, t.escape, t.url], color: s.meta },
    { tag: [t.invalid, t.deleted], color: s.invalid },
    { tag: t.heading, color: s.heading, fontWeight: 'bold' },
    { tag: t.strong, fontWeight: 'bold' },
    { tag: t.emphasis, fontStyle: 'italic' },
    { tag: t.link, color: s.definition, textDecoration: 'underline' },
  ]);
  return [view, syntaxHighlighting(highlight)];
}

const themes: Record<Theme, Extension> = { dark: paletteTheme(darkEditor), light: paletteTheme(lightEditor) };

export interface EditorHandle {
  view: EditorView;
  setContent(content: string): void;
  setLanguage(lang: EditorLanguage): Promise<void>;
  /** Selects lines (1-based, inclusive) and scrolls them into view: "open in editor" from a lab step. */
  highlightLines(from: number, to: number): void;
  destroy(): void;
}

export function createEditor(parent: HTMLElement, content: string, opts: { onChange: (content: string) => void; onSave: () => void; label: string }): EditorHandle {
  const language = new Compartment();
  const colours = new Compartment();
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: content,
      extensions: [
        keymap.of([
          {
            key: 'Mod-s',
            preventDefault: true,
            run: () => {
              opts.onSave();
              return true;
            },
          },
          indentWithTab,
        ]),
        basicSetup,
        colours.of(themes[getTheme()]),
        language.of([]),
        EditorView.contentAttributes.of({ 'aria-label': opts.label }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) opts.onChange(u.state.doc.toString());
        }),
      ],
    }),
  });
  const offTheme = onTheme((theme) => view.dispatch({ effects: colours.reconfigure(themes[theme]) }));
  return {
    view,
    setContent(next) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: next } });
    },
    async setLanguage(lang) {
      view.dispatch({ effects: language.reconfigure(await languageExtension(lang)) });
    },
    highlightLines(from, to) {
      const doc = view.state.doc;
      const a = doc.line(Math.min(Math.max(1, from), doc.lines));
      const b = doc.line(Math.min(Math.max(from, to), doc.lines));
      view.dispatch({ selection: { anchor: a.from, head: b.to }, scrollIntoView: true });
      view.focus();
    },
    destroy() {
      offTheme();
      view.destroy();
    },
  };
}
