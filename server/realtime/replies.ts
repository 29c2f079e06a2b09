import type { Refused } from '../contracts/protocol';
import { refusalOf } from '../public-error';
import { log } from '../log';

/**
 * The one mapper from an error to a socket reply, as server/http/errors.ts is
 * for HTTP, used by the student's and the instructor's socket: a refusal
 * written for people is sent with its code; anything else is logged with the
 * event's name and answered with INTERNAL_ERROR, never its own message.
 */
export function failureReply(err: unknown, event: string): Refused & { code: string } {
  const r = refusalOf(err);
  if (r.internal) log.error({ err, event }, 'socket event failed');
  return { ok: false, error: r.message, code: r.code };
}
