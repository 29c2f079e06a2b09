import { ClassroomError } from '../classroom/errors';
import type { ErrorCode } from '../contracts/classroom';
import { SessionError, type SessionErrorCode } from '../sessions/session-manager';

// The session layer's codes in the classroom contract's words (the last two have none of their own).
const OF_SESSION: Record<SessionErrorCode, ErrorCode> = {
  invalid: 'invalid',
  not_found: 'not_found',
  conflict: 'conflict',
  unavailable: 'unavailable',
  forbidden: 'forbidden',
  rate_limited: 'rate_limited',
  too_large: 'invalid',
  length_required: 'invalid',
};

/**
 * The live view calls both the classroom services (which throw codes) and the
 * session services (which throw their own codes); people get one kind of answer.
 * Anything else is a bug: its message stays in the log.
 */
export function refusalOf(err: unknown): { code: ErrorCode; message: string; internal: boolean } {
  if (err instanceof ClassroomError) return { code: err.code, message: err.message, internal: false };
  if (err instanceof SessionError) return { code: OF_SESSION[err.code], message: err.message, internal: false };
  return { code: 'internal', message: 'Something went wrong on the Berth server. Try again.', internal: true };
}
