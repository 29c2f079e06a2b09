import { EngineFull, EngineStuck, MachineUnavailable, UnknownMachine } from './backend/lab-backend';
import { ClassroomError } from './classroom/errors';
import type { ErrorCode } from './contracts/classroom';
import { EditorError, type EditorErrorCode } from './editor/machine-files';
import { ScriptFailed } from './sessions/script-runner';
import { SessionError, type SessionErrorCode } from './sessions/session-error';
import { TerminalLimitError } from './terminal/terminal-manager';

/** Said instead of anything the browser must not read. */
export const INTERNAL_ERROR = 'Something went wrong on the Berth server (it is in the server log). Try again.';

/** Every code a browser may receive, on either channel. */
export type PublicCode = ErrorCode | SessionErrorCode | EditorErrorCode;

/** An error as a person may read it; `internal` ones are logged by the caller and answered with INTERNAL_ERROR. */
export interface Refusal {
  code: PublicCode;
  message: string;
  extra: Record<string, unknown>;
  internal: boolean;
}

/**
 * What a browser may read of an error, for both channels (server/http/errors.ts
 * maps the code to a status, server/realtime/replies.ts to a reply). Only
 * errors written for students pass (an allow-list of classes): an engine error
 * names container ids, host paths and the Docker API, a Node error names files
 * on the host, and none of that is the student's business.
 */
export function refusalOf(err: unknown): Refusal {
  const said = (code: PublicCode, extra: Record<string, unknown> = {}): Refusal => ({ code, message: (err as Error).message, extra, internal: false });
  if (err instanceof SessionError) return said(err.code, err.extra);
  if (err instanceof ClassroomError) return said(err.code, err.extra);
  if (err instanceof EditorError) return said(err.code, err.current ? { current: err.current } : {});
  if (err instanceof UnknownMachine) return said('not_found');
  if (err instanceof MachineUnavailable || err instanceof TerminalLimitError) return said('conflict');
  if (err instanceof EngineFull || err instanceof EngineStuck || err instanceof ScriptFailed) return said('unavailable');
  return { code: 'internal', message: INTERNAL_ERROR, extra: {}, internal: true };
}

/** The message alone, for texts that embed it (a failed start's reason, a check's feedback). */
export function publicMessage(err: unknown): string {
  return refusalOf(err).message;
}
