import pino, { type DestinationStream, type Logger } from 'pino';
import { parseLogLevel, type LogLevel } from './config';

/**
 * Berth's one logger. JSON lines when stdout is a pipe or a file (docker logs,
 * journald, a log shipper), readable lines when a person watches a terminal.
 * Server modules log through `log` or a child carrying the id that lets an
 * admin follow one student's lab or one request through the lines.
 */

export interface LoggerOptions {
  env?: NodeJS.ProcessEnv;
  /** Where lines go; default stdout. Tests pass a stream to read them back. */
  destination?: DestinationStream;
  /** Human-readable output; default: stdout is a TTY and pino-pretty is installed. */
  pretty?: boolean;
}

/** Jest runs server code in-process: its logs would bury the test report. */
export function inTestProcess(env: NodeJS.ProcessEnv = process.env): boolean {
  return (env.NODE_ENV === 'test' || env.JEST_WORKER_ID !== undefined) && !env.BERTH_TEST_VERBOSE;
}

export function levelFor(env: NodeJS.ProcessEnv = process.env): LogLevel {
  if (inTestProcess(env)) return 'silent';
  try {
    return parseLogLevel(env);
  } catch {
    // A bad level must not stop the import of every server module; loadConfig reports it by name.
    return 'info';
  }
}

/** pino-pretty is a devDependency: Berth's image may not have it, and then JSON it is. */
function prettyStream(): DestinationStream | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pretty = require('pino-pretty') as (opts: Record<string, unknown>) => DestinationStream;
    // sync: a line logged just before process.exit must still be written.
    return pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname', sync: true });
  } catch {
    return null;
  }
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const env = options.env ?? process.env;
  const base = {
    level: levelFor(env),
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    // "level":"warn" reads and filters (jq, Loki) without a table of pino's numbers.
    formatters: { level: (label: string) => ({ level: label }) },
  };
  if (options.destination) return pino(base, options.destination);
  const wantPretty = options.pretty ?? Boolean(process.stdout.isTTY);
  const pretty = wantPretty ? prettyStream() : null;
  // pino.destination(1) writes synchronously, so nothing is lost on exit.
  return pino(base, pretty ?? pino.destination({ fd: 1, sync: true }));
}

export const log: Logger = createLogger();

/**
 * The CLI's processes log even when started by a test (they inherit JEST_WORKER_ID):
 * the test reads their output, and it never reaches the test report.
 */
export function useCliLogLevel(env: NodeJS.ProcessEnv = process.env): void {
  try {
    log.level = parseLogLevel(env);
  } catch {
    log.level = 'info';
  }
}

export function sessionLog(sessionId: string): Logger {
  return log.child({ sessionId });
}

export function requestLog(reqId: string): Logger {
  return log.child({ reqId });
}
