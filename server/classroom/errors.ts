import type { ErrorCode } from '../contracts/classroom';

/**
 * A refusal the person asking should read: the message is written for them,
 * the code decides the HTTP status (server/http/errors.ts) or the socket reply.
 */
export class ClassroomError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}
