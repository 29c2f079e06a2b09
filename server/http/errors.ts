import type { Response } from 'express';
import { z } from 'zod';
import { ClassroomError } from '../classroom/errors';
import type { ErrorCode } from '../contracts/classroom';

/** The one place an error code becomes an HTTP status. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  misdirected: 421,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

export function sendError(res: Response, code: ErrorCode, message: string, extra: Record<string, unknown> = {}): void {
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

/** Parses a body or query with zod; the refusal names the field that was wrong. */
export function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.length ? issue.path.join('.') : 'body';
  throw new ClassroomError('invalid', `${field}: ${issue?.message ?? 'invalid'}`);
}
