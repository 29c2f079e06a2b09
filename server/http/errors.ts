import type { Response } from 'express';
import { z } from 'zod';
import { ClassroomError } from '../classroom/errors';
import { INTERNAL_ERROR, refusalOf, type PublicCode } from '../public-error';

/** The one place an error code becomes an HTTP status. */
export const HTTP_STATUS: Record<PublicCode, number> = {
  invalid: 400,
  not_a_file: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  length_required: 411,
  too_large: 413,
  binary: 415,
  misdirected: 421,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

export function sendError(res: Response, code: PublicCode, message: string, extra: Record<string, unknown> = {}): void {
  const retry = extra.retryAfterSeconds;
  if (code === 'rate_limited' && typeof retry === 'number') res.setHeader('Retry-After', String(retry));
  res.status(HTTP_STATUS[code]).json({ error: message, code, ...extra });
}

/** Sends a ClassroomError as `{error, code}`; false for anything else (the caller logs it, the person sees no internals). */
export function sendClassroomError(res: Response, err: unknown): boolean {
  if (!(err instanceof ClassroomError)) return false;
  sendError(res, err.code, err.message, err.extra);
  return true;
}

/**
 * Any error as an HTTP answer: a refusal written for people (public-error.ts)
 * with its code's status, express's own 4xx (a body it could not parse) as
 * refusals (status kept), and everything else logged with `logError` and answered 500
 * without its message.
 */
export function sendFailure(res: Response, err: unknown, logError: (err: unknown) => void): void {
  const r = refusalOf(err);
  if (!r.internal) return sendError(res, r.code, r.message, r.extra);
  if (err instanceof z.ZodError) {
    return sendError(res, 'invalid', `invalid request: ${err.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}`);
  }
  // body-parser's refusals keep their status (413 for a body past the limit); their text names internals.
  const status = (err as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    res.status(status).json({ error: 'That request could not be read.', code: status === 413 ? 'too_large' : 'invalid' });
    return;
  }
  logError(err);
  sendError(res, 'internal', INTERNAL_ERROR);
}

/** Parses a body or query with zod; the refusal names the field that was wrong. */
export function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.length ? issue.path.join('.') : 'body';
  throw new ClassroomError('invalid', `${field}: ${issue?.message ?? 'invalid'}`);
}
