/** The editor's REST calls (server/http/editor-api.ts), through the app's one `call`; errors keep the server's code. */
import type { EditorFile, EditorListing, EditorOpRequest } from '../../../../server/contracts/editor';
import { ApiError, call as appCall } from '../../api';

export class EditorApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    /** The machine's version of the file, on a conflict. */
    readonly current?: EditorFile,
  ) {
    super(message);
  }
}

async function call<T>(method: string, url: string, body?: unknown): Promise<T> {
  try {
    return await appCall<T>(method, url, body);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    const code = typeof err.body.code === 'string' ? err.body.code : err.status === 0 ? 'unavailable' : 'internal';
    // Unsaved work is never lost to a dropped connection: say so.
    const message = err.status === 0 ? `${err.message} Your changes are kept in this browser.` : err.message;
    throw new EditorApiError(message, err.status, code, err.body.current as EditorFile | undefined);
  }
}

export function editorApi(sessionId: string, machine: string) {
  const base = `/api/sessions/${encodeURIComponent(sessionId)}/machines/${encodeURIComponent(machine)}/fs`;
  const q = (path: string) => `?path=${encodeURIComponent(path)}`;
  return {
    list: (path: string) => call<EditorListing>('GET', `${base}/list${q(path)}`),
    read: (path: string) => call<EditorFile>('GET', `${base}/file${q(path)}`),
    save: (path: string, content: string, expectedHash: string | null, force = false) => call<EditorFile>('PUT', `${base}/file${q(path)}`, { content, expectedHash, force }),
    op: (req: EditorOpRequest) => call<{ ok: true }>('POST', `${base}/ops`, req),
  };
}

export type EditorApi = ReturnType<typeof editorApi>;
