import { ClassroomError } from '../classroom/errors';
import type { ErrorCode } from '../contracts/classroom';
import { SessionError } from '../sessions/session-manager';

const BY_STATUS: Record<number, ErrorCode> = { 400: 'invalid', 401: 'unauthenticated', 403: 'forbidden', 404: 'not_found', 409: 'conflict', 429: 'rate_limited', 503: 'unavailable' };

/**
 * The live view calls both the classroom services (which throw codes) and the
 * session services (which throw HTTP statuses); people get one kind of answer.
 * Anything else is a bug: its message stays in the log.
 */
export function refusalOf(err: unknown): { code: ErrorCode; message: string; internal: boolean } {
  if (err instanceof ClassroomError) return { code: err.code, message: err.message, internal: false };
  if (err instanceof SessionError) return { code: BY_STATUS[err.status] ?? 'internal', message: err.message, internal: false };
  return { code: 'internal', message: 'Something went wrong on the Berth server. Try again.', internal: true };
}
