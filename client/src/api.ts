/** REST calls to the Berth server (same origin, cookie auth). */
import type { LabSummaryView, SessionView, StudentView } from '../../server/contracts/protocol';
import type { JoinInfo, NoticeView } from '../../server/contracts/classroom';
import type { Course } from './logic/format';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly body: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json', accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError('Berth cannot be reached. Check your network connection and try again.', 0);
  }
  let data: Record<string, unknown> = {};
  try {
    data = (await res.json()) as Record<string, unknown>;
  } catch {
    /* not JSON */
  }
  if (!res.ok) {
    const msg =
      typeof data.error === 'string'
        ? data.error
        : res.status >= 500
          ? 'Something went wrong on the Berth server. Try again in a moment.'
          : `The request failed (${res.status}).`;
    throw new ApiError(msg, res.status, data);
  }
  return data as T;
}

export const api = {
  me: () => call<{ student: StudentView }>('GET', '/api/me'),
  joinInfo: () => call<JoinInfo>('GET', '/api/join'),
  /** `code` may be left out only in open practice mode. */
  join: (name: string, code?: string) => call<{ student: StudentView }>('POST', '/api/join', code ? { code, name } : { name }),
  notices: () => call<{ notices: NoticeView[] }>('GET', '/api/notices'),
  dismissNotice: (id: string) => call<{ ok: true }>('POST', `/api/notices/${encodeURIComponent(id)}/dismiss`),
  labs: () => call<{ labs: LabSummaryView[]; course: Course }>('GET', '/api/labs'),
  startSession: (labId: string) => call<{ session: SessionView }>('POST', '/api/sessions', { labId }),
  session: (id: string) => call<{ session: SessionView }>('GET', `/api/sessions/${encodeURIComponent(id)}`),
  action: (id: string, action: 'stop' | 'reset' | 'resume' | 'extend') =>
    call<{ session: SessionView }>('POST', `/api/sessions/${encodeURIComponent(id)}/${action}`),
};
