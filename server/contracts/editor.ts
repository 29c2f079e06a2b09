/**
 * The editor's REST contract (plain types; the client bundles this file).
 *
 *   GET  /api/sessions/:id/machines/:machine/fs/list?path=/root     → EditorListing
 *   GET  /api/sessions/:id/machines/:machine/fs/file?path=/root/x   → EditorFile
 *   PUT  /api/sessions/:id/machines/:machine/fs/file?path=/root/x   EditorSaveRequest → EditorFile
 *        409 { error, code: 'conflict', current?: EditorFile } when the file changed in the machine
 *   POST /api/sessions/:id/machines/:machine/fs/ops                 EditorOpRequest → { ok: true }
 *
 * Errors are `{ error, code }` with code one of invalid, not_found, conflict,
 * too_large, binary, not_a_file (and the session's own: not_found, conflict).
 *
 * Links are followed inside the machine: a file is read from, and saved into,
 * the file its links lead to (the links stay). Targets are resolved against the
 * machine's root, never Berth's host; /proc, /sys and /dev (the kernel's views,
 * not files) are refused whether named or reached through a link.
 */

export interface EditorEntry {
  name: string;
  path: string;
  kind: 'file' | 'dir' | 'link' | 'other';
  size: number;
  mode: number;
  mtimeMs: number;
}

export interface EditorListing {
  path: string;
  entries: EditorEntry[];
  /** More entries than the editor lists (2000). */
  truncated: boolean;
}

export interface EditorFile {
  path: string;
  content: string;
  /** sha256 of the bytes: sent back on save to detect changes made in the machine meanwhile. */
  hash: string;
  mode: number;
  size: number;
  mtimeMs: number;
}

export interface EditorSaveRequest {
  content: string;
  /** Hash of the version the editor loaded; null for a new file. */
  expectedHash: string | null;
  /** Overwrite even if the machine's file changed (the student chose "overwrite"). */
  force?: boolean;
}

export type EditorOpRequest = { op: 'mkdir'; path: string } | { op: 'rename'; path: string; to: string } | { op: 'delete'; path: string };

/** Largest file the editor opens or saves. */
export const EDITOR_MAX_BYTES = 1024 * 1024;
