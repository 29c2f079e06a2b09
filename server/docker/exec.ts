import crypto from 'node:crypto';
import { PassThrough, type Duplex } from 'node:stream';
import type Docker from 'dockerode';
import type { ExecOutcome } from '../backend/lab-backend';

/** The backend's exec outcome is exactly what an engine exec yields. */
export type ExecResult = ExecOutcome;

export interface ExecOptions {
  timeoutMs: number;
  outputCapBytes: number;
  env?: string[];
  workingDir?: string;
  stdin?: Buffer | string;
}

/**
 * Runs a command to completion as a non-TTY exec. Docker has no exec kill, so
 * the command runs under coreutils `timeout`, which signals its whole process
 * group; the server-side timer is the backstop if even that hangs.
 */
export async function runExec(container: Docker.Container, cmd: string[], opts: ExecOptions): Promise<ExecResult> {
  const started = Date.now();
  const seconds = Math.max(1, Math.ceil(opts.timeoutMs / 1000));
  const exec = await container.exec({
    Cmd: ['timeout', '-s', 'KILL', String(seconds), ...cmd],
    AttachStdout: true,
    AttachStderr: true,
    AttachStdin: opts.stdin !== undefined,
    Tty: false,
    Env: opts.env,
    WorkingDir: opts.workingDir,
  });
  const stream = (await exec.start({ hijack: true, stdin: opts.stdin !== undefined })) as Duplex;
  const out = new CappedBuffer(opts.outputCapBytes);
  const err = new CappedBuffer(opts.outputCapBytes);
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  // Non-TTY execs carry 8-byte frame headers; demux splits stdout from stderr.
  container.modem.demuxStream(stream, stdout, stderr);
  if (opts.stdin !== undefined) stream.end(opts.stdin);

  let timedOut = false;
  await new Promise<void>((resolve) => {
    const backstop = setTimeout(() => {
      timedOut = true;
      stream.destroy();
      resolve();
    }, opts.timeoutMs + 3000);
    const done = () => {
      clearTimeout(backstop);
      resolve();
    };
    stream.on('end', done);
    stream.on('close', done);
    stream.on('error', done);
  });
  let exitCode = -1;
  try {
    // Bounded too: a check slot is released when this returns, whatever the engine does.
    const info = await Promise.race([
      exec.inspect(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('exec inspect timed out')), 5000).unref()),
    ]);
    exitCode = info.ExitCode ?? -1;
  } catch {
    /* container vanished or the engine is stuck: keep -1 */
  }
  // `timeout -s KILL` makes the command die with 128+9.
  if (exitCode === 137 && Date.now() - started >= seconds * 1000 - 50) timedOut = true;
  return {
    exitCode,
    stdout: out.text(),
    stderr: err.text(),
    timedOut,
    truncated: out.truncated || err.truncated,
    durationMs: Date.now() - started,
  };
}

/**
 * Runs a lab script (check, solve, setup) with bash reading it from stdin.
 * Nothing of it lands in argv or a file the student could read while it
 * runs, and no profile or rc file in the machine is sourced. The script is
 * one `{ … }` group, parsed whole before it runs, with stdin from /dev/null,
 * so a command in it that reads stdin cannot swallow the rest of the script.
 */
export async function runScript(container: Docker.Container, script: string, opts: Omit<ExecOptions, 'stdin'>): Promise<ExecResult> {
  const tag = crypto.randomBytes(8).toString('hex');
  const result = await runExec(container, ['bash', '--noprofile', '--norc', '-s'], {
    ...opts,
    env: [...(opts.env ?? []), `BERTH_SCRIPT_RUN=${tag}`],
    stdin: `{\n${script}\n} </dev/null\n`,
  });
  if (result.timedOut) await reap(container, tag);
  return result;
}

/**
 * `timeout` kills the script's process group, but what it started with
 * `setsid` or as a daemon escapes that group and would run on (and keep the
 * exec's output open). They all inherited the run's tag in their environment.
 */
async function reap(container: Docker.Container, tag: string): Promise<void> {
  const sweep = `for e in /proc/[0-9]*/environ; do if tr '\\0' '\\n' < "$e" 2>/dev/null | grep -qx 'BERTH_SCRIPT_RUN=${tag}'; then p=\${e%/environ}; kill -9 \${p#/proc/} 2>/dev/null; fi; done; true`;
  // Best effort: a machine gone or stopped has no processes left to reap.
  await runExec(container, ['sh', '-c', sweep], { timeoutMs: 10_000, outputCapBytes: 1024 }).catch(() => undefined);
}

class CappedBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  truncated = false;
  constructor(private readonly cap: number) {}
  push(chunk: Buffer): void {
    const room = this.cap - this.size;
    if (room <= 0) {
      this.truncated = true;
      return;
    }
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    if (part.length < chunk.length) this.truncated = true;
    this.chunks.push(part);
    this.size += part.length;
  }
  text(): string {
    // Decoded once, whole, so a multibyte character is never split.
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

export interface TtyExec {
  stream: Duplex;
  exec: Docker.Exec;
}

/** Starts an interactive TTY exec whose size is known before the shell runs. */
export async function startTtyExec(
  container: Docker.Container,
  cmd: string[],
  size: { cols: number; rows: number },
  env: string[],
): Promise<TtyExec> {
  const exec = await container.exec({
    Cmd: cmd,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Tty: true,
    Env: env,
    ConsoleSize: [size.rows, size.cols],
  });
  const stream = (await exec.start({ hijack: true, stdin: true, Tty: true })) as Duplex;
  return { stream, exec };
}
