/** What went wrong, in the session layer's words; the web layers map it to HTTP or socket replies. */
export type SessionErrorCode = 'invalid' | 'not_found' | 'conflict' | 'unavailable' | 'forbidden' | 'too_many' | 'internal';

const CODE_OF_STATUS: Record<number, SessionErrorCode> = { 400: 'invalid', 403: 'forbidden', 404: 'not_found', 409: 'conflict', 411: 'invalid', 413: 'invalid', 429: 'too_many', 503: 'unavailable' };

export class SessionError extends Error {
  /** Derived from `status` for now, so every existing `new SessionError(message, status)` keeps working. */
  readonly code: SessionErrorCode;

  constructor(
    message: string,
    readonly status: number,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.code = CODE_OF_STATUS[status] ?? (status >= 500 ? 'internal' : 'invalid');
  }
}
