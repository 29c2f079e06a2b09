import { EngineFull, MachineUnavailable, UnknownMachine } from '../backend/lab-backend';
import { ClassroomError } from '../classroom/errors';
import { EditorError } from '../editor/machine-files';
import { ScriptFailed } from '../sessions/script-runner';
import { SessionError } from '../sessions/session-error';
import { TerminalLimitError } from '../terminal/terminal-manager';

/** Said instead of anything the browser must not read. */
export const INTERNAL_ERROR = 'Something went wrong on the Berth server (it is in the server log). Try again.';

/**
 * What a browser may read of an error. Only errors written for students pass
 * (an allow-list of classes): an engine error names container ids, host
 * paths and the Docker API, a Node error names files on the host, and none of
 * that is the student's business. The caller logs the original.
 */
export function publicMessage(err: unknown): string {
  const forStudents =
    err instanceof SessionError ||
    err instanceof ClassroomError ||
    err instanceof TerminalLimitError ||
    err instanceof EditorError ||
    err instanceof ScriptFailed ||
    err instanceof UnknownMachine ||
    err instanceof MachineUnavailable ||
    err instanceof EngineFull;
  return forStudents ? (err as Error).message : INTERNAL_ERROR;
}
