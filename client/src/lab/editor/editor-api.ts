/** The editor's REST calls (server/http/editor-api.ts); errors keep the server's code and body. */
import type { EditorFile, EditorListing, EditorOpRequest } from '../../../../server/contracts/editor';

export class EditorApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly current?: EditorFile,
  ) {
    super(message);
  }
}

async function call<T>(method: string, url: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json', accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new EditorApiError('Berth cannot be reached. Check your connection; your changes are kept in this browser.', 0, 'unavailable');
  }
  let data: Record<string, unknown> = {};
  try {
    data = (await res.json()) as Record<string, unknown>;
  } catch {
    /* not JSON */
  }
  if (!res.ok) {
    const message = typeof data.error === 'string' ? data.error : `The request failed (${res.status}).`;
    throw new EditorApiError(message, res.status, typeof data.code === 'string' ? data.code : 'internal', data.current as EditorFile | undefined);
  }
  return data as T;
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
