/**
 * The Editor tab of one machine: a file tree, open files as tabs, CodeMirror,
 * save with conflict detection, and drafts kept in the browser so a reload
 * loses nothing. Loaded as its own chunk the first time the tab is opened.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { EditorEntry, EditorFile } from '../../../../server/contracts/editor';
import { getSocket } from '../../socket';
import { basename, draftFiles, draftKey, dropDraft, joinPath, languageFor, loadDraft, nameProblem, parentOf, resolveDraft, saveDraft } from '../../logic/editor-files';
import { createEditor, type EditorHandle } from './codemirror';
import { editorApi, EditorApiError } from './editor-api';
import './editor.css';
import { errorText } from '../../error-text';

export interface OpenRequest {
  path: string;
  /** Written if the file does not exist yet ("open in editor" from a lab step). */
  content?: string;
  lines?: [number, number];
}

/** Below this width the tree is an overlay that folds away, and the file tabs become a list. */
const NARROW = '(max-width: 819.98px)';

function useNarrow(): boolean {
  const [narrow, setNarrow] = useState(() => window.matchMedia(NARROW).matches);
  useEffect(() => {
    const q = window.matchMedia(NARROW);
    const on = () => setNarrow(q.matches);
    q.addEventListener('change', on);
    return () => q.removeEventListener('change', on);
  }, []);
  return narrow;
}

interface OpenFile {
  path: string;
  /** The machine's version this buffer was loaded from (null: a new file not saved yet). */
  base: EditorFile | null;
  dirty: boolean;
  /** Set when a save found the machine's file changed: the student chooses what to do. */
  conflict: { machine: EditorFile | null; comparing: boolean } | null;
}

type Pending = { kind: 'new-file' | 'new-folder' | 'rename' | 'delete'; target?: EditorEntry } | null;

export function EditorPanel({ sessionId, machine, root, openRequest }: { sessionId: string; machine: string; root: string; openRequest: OpenRequest | null }) {
  const api = useMemo(() => editorApi(sessionId, machine), [sessionId, machine]);
  const [dir, setDir] = useState(root);
  const [entries, setEntries] = useState<EditorEntry[]>([]);
  const [truncated, setTruncated] = useState(false);
  const [selected, setSelected] = useState<string | null>(null);
  const [files, setFiles] = useState<OpenFile[]>([]);
  const [active, setActive] = useState<string | null>(null);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const [pending, setPending] = useState<Pending>(null);
  const [nameInput, setNameInput] = useState('');
  const narrow = useNarrow();
  const [treeOpen, setTreeOpen] = useState(!narrow);
  useEffect(() => setTreeOpen(!narrow), [narrow]);
  const tree = useRef<HTMLElement>(null);
  const editors = useRef(new Map<string, EditorHandle>());
  const hosts = useRef(new Map<string, HTMLDivElement>());
  const filesRef = useRef(files);
  filesRef.current = files;

  const say = (text: string, error = false) => setMessage({ text, error });
  const fail = (err: unknown) => say(errorText(err), true);
  const patch = (path: string, p: Partial<OpenFile>) => setFiles((fs) => fs.map((f) => (f.path === path ? { ...f, ...p } : f)));

  // Listings can come back out of order (a slow one for the folder just left); only the latest may land.
  const listingSeq = useRef(0);
  const dirRef = useRef(dir);
  dirRef.current = dir;
  const refresh = async (path = dirRef.current) => {
    const seq = ++listingSeq.current;
    try {
      const listing = await api.list(path);
      if (seq !== listingSeq.current) return;
      setDir(listing.path);
      setEntries(listing.entries);
      setTruncated(listing.truncated);
    } catch (err) {
      fail(err);
    }
  };

  useEffect(() => {
    void refresh(root);
  }, [api]);

  // After a reload, the files with unsaved drafts come back as tabs marked unsaved.
  useEffect(() => {
    const restore = async () => {
      const paths = draftFiles(localStorage, sessionId, machine).map((f) => f.path);
      for (const path of paths) await open({ path }, { restoring: true });
      const back = filesRef.current.filter((f) => f.dirty).map((f) => basename(f.path));
      if (back.length) say(`Reopened ${back.join(', ')} with your unsaved changes.`);
    };
    void restore();
  }, [api]);

  // The tree follows the terminal: a command that returned to the prompt may have made or removed files.
  useEffect(() => {
    const socket = getSocket();
    const onChanged = (e: { sessionId: string; machine: string }) => {
      if (e.sessionId === sessionId && e.machine === machine) void refresh();
    };
    socket.on('files:changed', onChanged);
    return () => {
      socket.off('files:changed', onChanged);
    };
  }, [sessionId, machine]);

  // Unsaved work is kept in the browser, and leaving the page with some asks first.
  useEffect(() => {
    const warn = (e: BeforeUnloadEvent) => {
      if (filesRef.current.some((f) => f.dirty)) {
        e.preventDefault();
        e.returnValue = '';
      }
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, []);

  useEffect(() => () => editors.current.forEach((e) => e.destroy()), []);

  const mount = (path: string, content: string, lines?: [number, number], focus = false) => {
    const host = hosts.current.get(path);
    if (!host || editors.current.has(path)) return;
    const key = draftKey(sessionId, machine, path);
    const handle = createEditor(host, content, {
      label: `Editing ${path} on ${machine}. Press Escape then Tab to leave the editor.`,
      onChange: (text) => {
        const f = filesRef.current.find((x) => x.path === path);
        const clean = f?.base ? f.base.content === text : text === '';
        patch(path, { dirty: !clean });
        if (clean) dropDraft(localStorage, key);
        else saveDraft(localStorage, key, { content: text, baseHash: f?.base?.hash ?? null, savedAt: Date.now() });
      },
      onSave: () => void save(path),
    });
    void handle.setLanguage(languageFor(path));
    editors.current.set(path, handle);
    if (lines) handle.highlightLines(lines[0], lines[1]);
    else if (focus) handle.view.focus();
  };

  /** Opens a tab (or shows it); `restoring` reopens a draft after a reload, quietly, and only if it is still unsaved. */
  const open = async (req: OpenRequest, how: { restoring?: boolean } = {}) => {
    const { path } = req;
    if (!how.restoring) setSelected(path);
    if (filesRef.current.some((f) => f.path === path)) {
      if (how.restoring) return;
      setActive(path);
      if (narrow) setTreeOpen(false);
      requestAnimationFrame(() => {
        const handle = editors.current.get(path);
        if (req.lines) handle?.highlightLines(req.lines[0], req.lines[1]);
        else handle?.view.focus();
      });
      return;
    }
    let base: EditorFile;
    try {
      base = await api.read(path);
    } catch (err) {
      if (!(err instanceof EditorApiError && err.code === 'not_found' && req.content !== undefined)) return fail(err);
      // "Open in editor" for a file the step asks the student to write: create it with the block's content.
      try {
        base = await api.save(path, req.content, null);
        void refresh(parentOf(path));
      } catch (e) {
        return fail(e);
      }
    }
    const key = draftKey(sessionId, machine, path);
    const draft = resolveDraft(loadDraft(localStorage, key), base.hash, base.content);
    if (how.restoring && !draft.dirty) return dropDraft(localStorage, key);
    if (filesRef.current.some((f) => f.path === path)) return; // opened meanwhile (a click during the read)
    const file: OpenFile = { path, base, dirty: draft.dirty, conflict: null };
    filesRef.current = [...filesRef.current, file];
    setFiles((fs) => [...fs, file]);
    setActive(path);
    if (narrow && !how.restoring) setTreeOpen(false);
    if (draft.dirty && !how.restoring) say(draft.stale ? `Restored your unsaved changes to ${basename(path)}; the file also changed in the machine since.` : `Restored your unsaved changes to ${basename(path)}.`);
    // Mount after the host div exists (next frame).
    requestAnimationFrame(() => mount(path, draft.content, req.lines, !how.restoring));
  };

  useEffect(() => {
    if (openRequest) void open(openRequest);
  }, [openRequest]);

  const save = async (path: string, force = false) => {
    const f = filesRef.current.find((x) => x.path === path);
    const handle = editors.current.get(path);
    if (!f || !handle) return;
    const content = handle.view.state.doc.toString();
    try {
      const saved = await api.save(path, content, f.base?.hash ?? null, force);
      patch(path, { base: saved, dirty: false, conflict: null });
      dropDraft(localStorage, draftKey(sessionId, machine, path));
      say(`Saved ${path}.`);
    } catch (err) {
      if (err instanceof EditorApiError && err.code === 'conflict') {
        patch(path, { conflict: { machine: err.current ?? null, comparing: false } });
        say(err.message, true);
      } else fail(err);
    }
  };

  const reloadFromMachine = async (path: string) => {
    try {
      const fresh = await api.read(path);
      editors.current.get(path)?.setContent(fresh.content);
      patch(path, { base: fresh, dirty: false, conflict: null });
      dropDraft(localStorage, draftKey(sessionId, machine, path));
      say(`Reloaded ${path} from the machine.`);
    } catch (err) {
      fail(err);
    }
  };

  const close = (path: string) => {
    const f = filesRef.current.find((x) => x.path === path);
    if (f?.dirty && !window.confirm(`${basename(path)} has unsaved changes. Close it and keep them only in this browser?`)) return;
    editors.current.get(path)?.destroy();
    editors.current.delete(path);
    hosts.current.delete(path);
    const rest = filesRef.current.filter((x) => x.path !== path);
    setFiles(rest);
    if (active === path) setActive(rest.length ? rest[rest.length - 1].path : null);
  };

  /** Tabs of files that were renamed or deleted (or lay inside a folder that was) close with them. */
  const forget = (gone: string) => {
    const under = (p: string) => p === gone || p.startsWith(`${gone}/`);
    for (const f of filesRef.current.filter((x) => under(x.path))) {
      editors.current.get(f.path)?.destroy();
      editors.current.delete(f.path);
      hosts.current.delete(f.path);
      dropDraft(localStorage, draftKey(sessionId, machine, f.path));
    }
    const rest = filesRef.current.filter((x) => !under(x.path));
    setFiles(rest);
    if (active && under(active)) setActive(rest.length ? rest[rest.length - 1].path : null);
  };

  const submitPending = async (e: Event) => {
    e.preventDefault();
    if (!pending) return;
    try {
      if (pending.kind === 'delete' && pending.target) {
        await api.op({ op: 'delete', path: pending.target.path });
        forget(pending.target.path);
        say(`Deleted ${pending.target.path}.`);
      } else {
        const problem = nameProblem(nameInput);
        if (problem) return say(problem, true);
        if (pending.kind === 'new-folder') await api.op({ op: 'mkdir', path: joinPath(dir, nameInput) });
        else if (pending.kind === 'rename' && pending.target) {
          await api.op({ op: 'rename', path: pending.target.path, to: joinPath(parentOf(pending.target.path), nameInput) });
          forget(pending.target.path);
        }
        else if (pending.kind === 'new-file') {
          await api.save(joinPath(dir, nameInput), '', null);
          void open({ path: joinPath(dir, nameInput) });
        }
        say(pending.kind === 'rename' ? `Renamed to ${nameInput}.` : `Created ${nameInput}.`);
      }
      setPending(null);
      setNameInput('');
      void refresh();
    } catch (err) {
      fail(err);
    }
  };

  const selectedEntry = entries.find((x) => x.path === selected);
  const activeFile = files.find((f) => f.path === active) ?? null;

  // Ctrl/Cmd-S anywhere in the panel (tree, tabs, toolbar) saves, and never opens the browser's "Save page".
  // CodeMirror handles it first inside the text (and marks the event handled).
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.defaultPrevented || !(e.ctrlKey || e.metaKey) || e.altKey || e.key.toLowerCase() !== 's') return;
    e.preventDefault();
    if (active) void save(active);
    else say('Open a file first: Ctrl+S saves the file in front.');
  };

  return (
    <div class={`editor-panel ${treeOpen ? 'tree-open' : ''} ${narrow ? 'narrow' : ''}`} onKeyDown={onKeyDown}>
      <div class="editor-toolbar" role="toolbar" aria-label={`Files on ${machine}`}>
        <button type="button" class="btn small ghost" aria-expanded={treeOpen} aria-controls={`tree-${machine}`} onClick={() => setTreeOpen(!treeOpen)} title="Show or hide the file tree">
          ☰ Files
        </button>
        <button type="button" class="btn small ghost" onClick={() => void refresh(parentOf(dir))} disabled={dir === '/'} title="Go up one folder" aria-label="Up one folder">
          ↑
        </button>
        <code class="editor-dir" title={dir}>
          {dir}
        </code>
        <button type="button" class="btn small ghost" onClick={() => void refresh()} aria-label="Refresh the file tree" title="Refresh">
          ⟳
        </button>
        <button type="button" class="btn small ghost" onClick={() => setPending({ kind: 'new-file' })}>
          New file
        </button>
        <button type="button" class="btn small ghost" onClick={() => setPending({ kind: 'new-folder' })}>
          New folder
        </button>
        <button type="button" class="btn small ghost" disabled={!selectedEntry} onClick={() => (setPending({ kind: 'rename', target: selectedEntry }), setNameInput(selectedEntry?.name ?? ''))}>
          Rename
        </button>
        <button type="button" class="btn small ghost" disabled={!selectedEntry} onClick={() => setPending({ kind: 'delete', target: selectedEntry })}>
          Delete
        </button>
        <span class="spacer" />
        <button type="button" class="btn small primary" disabled={!activeFile} onClick={() => active && void save(active)} title="Save (Ctrl+S)">
          Save
        </button>
      </div>
      {pending ? (
        <form class="editor-pending" onSubmit={submitPending}>
          {pending.kind === 'delete' ? (
            <span>
              Delete <code>{pending.target?.path}</code>
              {pending.target?.kind === 'dir' ? ' and everything in it' : ''}?
            </span>
          ) : (
            <label>
              {pending.kind === 'new-file' ? 'New file name' : pending.kind === 'new-folder' ? 'New folder name' : `Rename ${pending.target?.name} to`}{' '}
              <input value={nameInput} onInput={(e) => setNameInput((e.target as HTMLInputElement).value)} autoFocus maxLength={255} />
            </label>
          )}
          <button type="submit" class={`btn small ${pending.kind === 'delete' ? 'danger' : 'primary'}`}>
            {pending.kind === 'delete' ? 'Delete' : pending.kind === 'rename' ? 'Rename' : 'Create'}
          </button>
          <button type="button" class="btn small ghost" onClick={() => (setPending(null), setNameInput(''))}>
            Cancel
          </button>
        </form>
      ) : null}
      {message ? (
        <p class={`editor-message ${message.error ? 'error' : ''}`} role={message.error ? 'alert' : 'status'}>
          {message.text}
        </p>
      ) : null}
      <div class="editor-body">
        <nav class="editor-tree" ref={tree} id={`tree-${machine}`} aria-label={`Folder ${dir}`} hidden={!treeOpen}>
          <ul>
            {entries.map((e) => (
              <li key={e.path}>
                <button
                  type="button"
                  class={`tree-item ${e.kind} ${selected === e.path ? 'selected' : ''}`}
                  aria-pressed={selected === e.path}
                  title={`${e.path}${e.kind === 'file' ? ` (${e.size} bytes)` : ''}`}
                  onClick={() => {
                    setSelected(e.path);
                    // The pressed folder's button goes with the old listing: focus moves to the new one's first entry.
                    if (e.kind === 'dir') void refresh(e.path).then(() => requestAnimationFrame(() => tree.current?.querySelector<HTMLElement>('.tree-item')?.focus()));
                    else if (e.kind === 'file' || e.kind === 'link') void open({ path: e.path });
                  }}
                >
                  <span aria-hidden="true">{e.kind === 'dir' ? '▸' : e.kind === 'link' ? '↪' : '▫'}</span> {e.name}
                  {e.kind === 'dir' ? '/' : ''}
                </button>
              </li>
            ))}
            {entries.length === 0 ? <li class="muted">(empty folder)</li> : null}
            {truncated ? <li class="muted">Only the first 2000 entries are listed.</li> : null}
          </ul>
        </nav>
        <div class="editor-main">
          {narrow ? (
            <div class="editor-tabs editor-tabs-list">
              <select aria-label="Open files" value={active ?? ''} disabled={!files.length} onChange={(e) => setActive((e.target as HTMLSelectElement).value || null)}>
                {files.length ? null : <option value="">No file open</option>}
                {files.map((f) => (
                  <option key={f.path} value={f.path}>
                    {basename(f.path)}
                    {f.dirty ? ' ● (unsaved)' : ''}
                  </option>
                ))}
              </select>
              {activeFile ? (
                <button type="button" class="btn small ghost tab-close" aria-label={`Close ${basename(activeFile.path)}`} onClick={() => close(activeFile.path)}>
                  ×
                </button>
              ) : null}
            </div>
          ) : (
            <div class="editor-tabs" role="tablist" aria-label="Open files">
              {files.map((f) => (
                <span class={`editor-tab ${f.path === active ? 'selected' : ''}`} key={f.path}>
                  <button type="button" role="tab" aria-selected={f.path === active} title={f.path} onClick={() => setActive(f.path)}>
                    {basename(f.path)}
                    {f.dirty ? <span aria-label=" (unsaved)"> ●</span> : null}
                  </button>
                  <button type="button" class="tab-close" aria-label={`Close ${basename(f.path)}`} onClick={() => close(f.path)}>
                    ×
                  </button>
                </span>
              ))}
            </div>
          )}
          {activeFile?.conflict ? (
            <ConflictBar
              file={activeFile}
              mine={() => editors.current.get(activeFile.path)?.view.state.doc.toString() ?? ''}
              onOverwrite={() => void save(activeFile.path, true)}
              onReload={() => void reloadFromMachine(activeFile.path)}
              onCompare={(comparing) => patch(activeFile.path, { conflict: { ...activeFile.conflict!, comparing } })}
            />
          ) : null}
          {files.length === 0 ? <p class="editor-empty muted">Open a file from the tree, or make a new one. Ctrl+S saves.</p> : null}
          {files.map((f) => (
            <div
              key={f.path}
              class="editor-cm"
              hidden={f.path !== active}
              role="tabpanel"
              ref={(el) => {
                if (el) hosts.current.set(f.path, el);
              }}
            />
          ))}
        </div>
      </div>
    </div>
  );
}

function ConflictBar({ file, mine, onOverwrite, onReload, onCompare }: { file: OpenFile; mine: () => string; onOverwrite: () => void; onReload: () => void; onCompare: (on: boolean) => void }) {
  const c = file.conflict!;
  return (
    <div class="editor-conflict" role="alert">
      <p>
        <strong>{basename(file.path)} changed in the machine</strong> since you opened it (by the terminal or a container). What should happen?
      </p>
      <div class="editor-conflict-actions">
        <button type="button" class="btn small danger" onClick={onOverwrite}>
          Overwrite with mine
        </button>
        <button type="button" class="btn small" onClick={onReload}>
          Reload the machine's version
        </button>
        <button type="button" class="btn small ghost" aria-expanded={c.comparing} onClick={() => onCompare(!c.comparing)}>
          {c.comparing ? 'Hide both' : 'See both'}
        </button>
      </div>
      {c.comparing ? (
        <div class="editor-compare">
          <figure>
            <figcaption>Yours (not saved)</figcaption>
            <pre>{mine()}</pre>
          </figure>
          <figure>
            <figcaption>In the machine now</figcaption>
            <pre>{c.machine ? c.machine.content : '(the file was deleted)'}</pre>
          </figure>
        </div>
      ) : null}
    </div>
  );
}
