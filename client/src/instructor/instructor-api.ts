/** The instructor's REST calls (routes listed in server/contracts/classroom.ts). */
import type { AuditEntryView, CatalogForInstructors, ClassAnalyticsView, ClassGridView, ClassInput, ClassPatchRequest, ClassSummaryView, ClassView, CodeAction, InstructorView, LoginSessionView, NewInstructorRequest, NoticeView, RosterEntryView, SetupStatus, StudentActionReply, StudentActionRequest } from '../../../server/contracts/classroom';
import { ApiError, call as plainCall } from '../api';

/** Fired when Berth no longer knows this instructor (signed out elsewhere, revoked, expired). */
export const SIGNED_OUT_EVENT = 'berth:instructor-signed-out';

export function signedOut(): void {
  window.dispatchEvent(new Event(SIGNED_OUT_EVENT));
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  try {
    return await plainCall<T>(method, path, body);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401 && path.startsWith('/api/instructor/') && path !== '/api/instructor/login') signedOut();
    throw e;
  }
}

const cls = (id: string) => `/api/instructor/classes/${encodeURIComponent(id)}`;

export const iapi = {
  setupStatus: () => call<SetupStatus>('GET', '/api/setup'),
  setup: (token: string, name: string, login: string, password: string) => call<{ instructor: InstructorView }>('POST', '/api/setup', { token, name, login, password }),
  login: (login: string, password: string) => call<{ instructor: InstructorView }>('POST', '/api/instructor/login', { login, password }),
  logout: () => call<{ ok: true }>('POST', '/api/instructor/logout'),
  logoutAll: () => call<{ ok: true }>('POST', '/api/instructor/logout-all'),
  me: () => call<{ instructor: InstructorView }>('GET', '/api/instructor/me'),
  logins: () => call<{ logins: LoginSessionView[] }>('GET', '/api/instructor/logins'),
  revokeLogin: (id: string) => call<{ ok: true }>('DELETE', `/api/instructor/logins/${encodeURIComponent(id)}`),
  instructors: () => call<{ instructors: InstructorView[] }>('GET', '/api/instructor/instructors'),
  addInstructor: (req: NewInstructorRequest) => call<{ instructor: InstructorView }>('POST', '/api/instructor/instructors', req),
  audit: (classId?: string, limit = 200) =>
    call<{ entries: AuditEntryView[] }>('GET', `/api/instructor/audit?${new URLSearchParams({ ...(classId ? { classId } : {}), limit: String(limit) })}`),
  catalog: () => call<CatalogForInstructors>('GET', '/api/instructor/catalog'),

  classes: () => call<{ classes: ClassSummaryView[] }>('GET', '/api/instructor/classes'),
  createClass: (input: ClassInput) => call<{ class: ClassView }>('POST', '/api/instructor/classes', input),
  getClass: (id: string) => call<{ class: ClassView }>('GET', cls(id)),
  updateClass: (id: string, patch: ClassPatchRequest) => call<{ class: ClassView }>('PATCH', cls(id), patch),
  codeAction: (id: string, action: CodeAction) => call<{ class: ClassView }>('POST', `${cls(id)}/code`, action),
  oneTimeCodes: (id: string, count: number) => call<{ codes: string[] }>('POST', `${cls(id)}/one-time-codes`, { count }),
  roster: (id: string) => call<{ roster: RosterEntryView[] }>('GET', `${cls(id)}/roster`),
  readmit: (id: string, studentId: string) => call<{ ok: true }>('POST', `${cls(id)}/students/${encodeURIComponent(studentId)}/readmit`),
  qrUrl: (id: string) => `${cls(id)}/qr.svg`,

  grid: (id: string) => call<ClassGridView>('GET', `${cls(id)}/grid`),
  act: (id: string, req: StudentActionRequest) => call<StudentActionReply>('POST', `${cls(id)}/actions`, req),
  broadcast: (id: string, text: string) => call<{ notice: NoticeView }>('POST', `${cls(id)}/broadcast`, { text }),
  message: (id: string, studentId: string, text: string) => call<{ notice: NoticeView }>('POST', `${cls(id)}/students/${encodeURIComponent(studentId)}/message`, { text }),
  analytics: (id: string) => call<ClassAnalyticsView>('GET', `${cls(id)}/analytics`),
  resultsCsv: (id: string) => `${cls(id)}/results.csv`,
  resultsLabsCsv: (id: string) => `${cls(id)}/results-labs.csv`,
  resultsJson: (id: string) => `${cls(id)}/results.json`,
};
