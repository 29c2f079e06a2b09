/**
 * What went wrong, in the session layer's words. The code says what kind of
 * refusal it is; the web layers decide what that means on their channel
 * (server/http/errors.ts for HTTP, server/realtime/replies.ts for sockets).
 * The message is written for the student and may be shown to them.
 */
export type SessionErrorCode =
  | 'invalid' // the request itself is wrong (a path, a name, a step that does not exist)
  | 'not_found' // no such session, lab or machine, or not the caller's
  | 'conflict' // not now: the lab is not running, the step is locked, a limit of the session is reached
  | 'unavailable' // Berth or its engine cannot do it now (full, machine state unreadable)
  | 'forbidden' // the caller may not (class rules, a sandboxing rule)
  | 'too_large' // a body past its limit
  | 'rate_limited' // too many at once (transfers); try again when one finishes
  | 'length_required'; // a body sent without its size

export class SessionError extends Error {
  constructor(
    readonly code: SessionErrorCode,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}
