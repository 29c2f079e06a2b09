/**
 * CodeMirror 6 as the editor needs it: basicSetup (search and replace,
 * history, brackets, keyboard shortcuts), a syntax per file, Berth's theme
 * from its CSS variables, and Ctrl/Cmd-S. Languages load on demand so a
 * student who only edits YAML never downloads the Python grammar.
 */
import { basicSetup } from 'codemirror';
import { Compartment, EditorState, type Extension } from '@codemirror/state';
import { EditorView, keymap } from '@codemirror/view';
import { indentWithTab } from '@codemirror/commands';
import { StreamLanguage } from '@codemirror/language';
import type { EditorLanguage } from '../../logic/editor-files';

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

/** Colours come from Berth's own variables, so the editor follows the dark/light switch without a reload. */
const berthTheme = EditorView.theme({
  '&': { height: '100%', backgroundColor: 'var(--bg)', color: 'var(--fg)', fontSize: '14px' },
  '.cm-scroller': { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace' },
  '.cm-content': { caretColor: 'var(--accent)' },
  '.cm-gutters': { backgroundColor: 'var(--bg2)', color: 'var(--muted)', borderRight: '1px solid var(--line)' },
  '.cm-activeLine': { backgroundColor: 'color-mix(in srgb, var(--accent) 8%, transparent)' },
  '.cm-activeLineGutter': { backgroundColor: 'color-mix(in srgb, var(--accent) 14%, transparent)' },
  '&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection': { backgroundColor: 'color-mix(in srgb, var(--accent) 30%, transparent) !important' },
  '.cm-panels': { backgroundColor: 'var(--bg2)', color: 'var(--fg)' },
  '.cm-panels input, .cm-panels button': { color: 'var(--fg)', backgroundColor: 'var(--bg3)', border: '1px solid var(--line)' },
  '.cm-highlighted': { backgroundColor: 'color-mix(in srgb, var(--warn, orange) 35%, transparent)' },
});

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
        berthTheme,
        language.of([]),
        EditorView.contentAttributes.of({ 'aria-label': opts.label }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) opts.onChange(u.state.doc.toString());
        }),
      ],
    }),
  });
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
      view.destroy();
    },
  };
}
