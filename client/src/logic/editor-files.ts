/**
 * The editor's decisions that need no browser: which syntax a file gets,
 * where paths go, what a valid name is, and how unsaved drafts are kept so a
 * reload loses nothing.
 */

export type EditorLanguage = 'dockerfile' | 'yaml' | 'shell' | 'python' | 'javascript' | 'json' | 'nginx' | 'ini' | 'markdown' | 'plain';

/** By file name first (Dockerfile, compose.yaml, nginx.conf), then by extension. */
export function languageFor(path: string): EditorLanguage {
  const name = basename(path).toLowerCase();
  if (name === 'dockerfile' || name.startsWith('dockerfile.') || name.endsWith('.dockerfile') || name === 'containerfile') return 'dockerfile';
  if (name === '.bashrc' || name === '.profile' || name === '.bash_profile') return 'shell';
  if (name === 'nginx.conf' || /(^|\/)(nginx|sites-(available|enabled)|conf\.d)\//.test(path.toLowerCase())) return 'nginx';
  const ext = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1) : '';
  switch (ext) {
    case 'yml':
    case 'yaml':
      return 'yaml';
    case 'sh':
    case 'bash':
      return 'shell';
    case 'py':
      return 'python';
    case 'js':
    case 'mjs':
    case 'cjs':
    case 'ts':
      return 'javascript';
    case 'json':
      return 'json';
    case 'conf':
      return name.includes('nginx') || name === 'default.conf' ? 'nginx' : 'ini';
    case 'ini':
    case 'cfg':
    case 'toml':
    case 'env':
      return 'ini';
    case 'md':
    case 'markdown':
      return 'markdown';
    default:
      return 'plain';
  }
}

export function basename(path: string): string {
  const trimmed = path.length > 1 ? path.replace(/\/+$/, '') : path;
  return trimmed.slice(trimmed.lastIndexOf('/') + 1) || '/';
}

export function parentOf(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  const i = trimmed.lastIndexOf('/');
  return i <= 0 ? '/' : trimmed.slice(0, i);
}

export function joinPath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

/** A name for a new file or folder: one path segment, nothing the shell or the server would refuse. */
export function nameProblem(name: string): string | null {
  if (!name.trim()) return 'Type a name.';
  if (name === '.' || name === '..') return 'That name is taken by the system.';
  if (name.includes('/')) return 'A name cannot contain "/".';
  if (/[\0\n\r]/.test(name)) return 'A name cannot contain line breaks.';
  if (name.length > 255) return 'That name is too long (255 characters at most).';
  return null;
}

/** An unsaved edit, with the hash of the version it was made on (to tell whether it still applies). */
export interface Draft {
  content: string;
  baseHash: string | null;
  savedAt: number;
}

export interface DraftStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export function draftKey(sessionId: string, machine: string, path: string): string {
  return `berth.draft.${sessionId}.${machine}.${path}`;
}

export function loadDraft(store: DraftStore, key: string): Draft | null {
  try {
    const raw = store.getItem(key);
    if (!raw) return null;
    const d = JSON.parse(raw) as Partial<Draft>;
    return typeof d.content === 'string' ? { content: d.content, baseHash: d.baseHash ?? null, savedAt: d.savedAt ?? 0 } : null;
  } catch {
    return null; // storage blocked or a draft from an older format: nothing to restore
  }
}

export function saveDraft(store: DraftStore, key: string, draft: Draft): void {
  try {
    store.setItem(key, JSON.stringify(draft));
  } catch {
    /* quota full or storage blocked: the editor still works, only the reload safety net is gone */
  }
}

export function dropDraft(store: DraftStore, key: string): void {
  try {
    store.removeItem(key);
  } catch {
    /* storage blocked */
  }
}

/**
 * What opening a file with a stored draft should show. The draft wins when
 * it was made on the version the machine still has; if the file changed in
 * the machine since, the draft is still offered, but as a conflict.
 */
export function resolveDraft(draft: Draft | null, machineHash: string, machineContent: string): { content: string; dirty: boolean; stale: boolean } {
  if (!draft || draft.content === machineContent) return { content: machineContent, dirty: false, stale: false };
  return { content: draft.content, dirty: true, stale: draft.baseHash !== machineHash };
}

/** The keys of a browser store, as localStorage lists them. */
export interface DraftIndex {
  readonly length: number;
  key(index: number): string | null;
}

/** Files with an unsaved draft in a session (one machine's, or every machine's), from the store's keys. */
export function draftFiles(store: DraftIndex, sessionId: string, machine?: string): { machine: string; path: string }[] {
  const prefix = `berth.draft.${sessionId}.`;
  const out: { machine: string; path: string }[] = [];
  try {
    for (let i = 0; i < store.length; i++) {
      const key = store.key(i);
      if (!key?.startsWith(prefix)) continue;
      // Machine names have no "/", and paths start with one: "<machine>./<path>".
      const rest = key.slice(prefix.length);
      const cut = rest.indexOf('./');
      if (cut <= 0) continue;
      const file = { machine: rest.slice(0, cut), path: rest.slice(cut + 1) };
      if (!machine || file.machine === machine) out.push(file);
    }
  } catch {
    return []; // storage blocked: there are no drafts either
  }
  return out.sort((a, b) => a.machine.localeCompare(b.machine) || a.path.localeCompare(b.path));
}

/** The question asked before leaving a lab page with unsaved drafts, or null when nothing is unsaved. */
export function leaveQuestion(files: { machine: string; path: string }[], leaving: 'page' | 'stop' | 'reset'): string | null {
  if (!files.length) return null;
  const names = files.slice(0, 3).map((f) => basename(f.path)).join(', ') + (files.length > 3 ? ` and ${files.length - 3} more` : '');
  const what = `You have unsaved changes in the editor (${names}).`;
  if (leaving === 'stop') return `${what} Ending the lab removes the machines, and the changes with them. End it anyway?`;
  if (leaving === 'reset') return `${what} Resetting starts the machines over, without them. Reset anyway?`;
  return `${what} Leave the lab page? They stay in this browser until you come back.`;
}
