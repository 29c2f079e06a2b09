import crypto from 'node:crypto';
import type Docker from 'dockerode';
import type { ShellStream, TerminalSize } from '../backend/lab-backend';
import { runExec, startTtyExec } from './exec';

/**
 * An interactive login shell in a machine. The wrapper records the shell's PID
 * before exec'ing bash, because Docker cannot kill an exec (moby #9098): on
 * close we signal that session ourselves. The pty is sized from here, right
 * after the exec starts, so no shell shows 0x0 where the engine ignores
 * ConsoleSize.
 */
export async function openDockerShell(
  container: Docker.Container,
  size: TerminalSize,
  env: Record<string, string>,
  options: { setup?: string } = {},
): Promise<ShellStream> {
  // `setup` runs before bash starts (a warm machine's new hostname and env, which bash reads once, at
  // start): one exec instead of two. On its own lines, so a heredoc may end it.
  const setup = options.setup ? `if ! (\n${options.setup}\n) >/dev/null 2>&1; then echo ${SETUP_FAILED}; exit 1; fi\n` : '';
  const shell = await startShell(container, size, env, (pidFile) => `${MAKE_RUN_DIR}; echo $$ > ${pidFile}\n${setup}cd /root; exec bash -l`, false);
  if (options.setup) await shell.setupDone();
  return shell.stream;
}

/** A main shell opened in a waiting machine before it is anyone's: `begin` makes it the student's. */
export interface WaitingShell {
  /** Runs `setup` (the machine's new hostname and the lab's env) in it, then bash: as openDockerShell with `setup`. */
  begin(setup: string): Promise<ShellStream>;
  /** Ends it unused; its machine is being removed, so nothing inside needs killing. */
  discard(): void;
}

/**
 * Opens a shell in a waiting machine that reads its setup (lines, up to an end
 * line) and only then starts bash. The exec (runc, a shim, the pty: some 150 ms of CPU
 * here) is paid while the pool fills, so adopting the machine costs the student
 * no exec at all: a class taking thirty waiting machines at once otherwise
 * queues thirty execs on two cores. Input is not echoed while it waits, and the
 * tty is raw, so a setup line longer than a tty line still arrives whole.
 */
export async function openWaitingShell(container: Docker.Container, size: TerminalSize): Promise<WaitingShell> {
  // Only builtins between the setup's arrival and bash, but for `stty`: what the student waits for.
  const script = (pidFile: string) =>
    [
      `${MAKE_RUN_DIR}; echo $$ > ${pidFile}`,
      // Raw enough that every byte of the setup arrives as sent: no echo, no line limit, no CR → LF,
      // no ^C, ^S or ^V acted on. Output is left as it is (the WAITING line ends in CR LF).
      `s=$(stty -g); stty -echo -icanon -icrnl -ixon -isig -iexten min 1`,
      `echo ${WAITING}`,
      `setup=`,
      `while :; do IFS= read -r l || exit 0; [ "$l" = ${SETUP_END} ] && break; [ "$l" = ${SETUP_CANCEL} ] && exit 0; setup="$setup$l\n"; done`,
      `stty "$s"`,
      `if ! { eval "$setup"; } >/dev/null 2>&1; then echo ${SETUP_FAILED}; exit 1; fi`,
      `cd /root; exec bash -l`,
    ].join('\n');
  const shell = await startShell(container, size, {}, script, true);
  await shell.waiting();
  return {
    async begin(setup) {
      // A lab env value with such a line in it would cut the setup short: the caller opens a fresh shell instead.
      if (setup.split('\n').some((line) => line === SETUP_END || line === SETUP_CANCEL)) {
        shell.stream.write(`\n${SETUP_CANCEL}\n`);
        shell.destroy();
        throw new Error('the setup holds a line the waiting shell reads as its end');
      }
      shell.stream.write(`${setup}\n${SETUP_END}\n`);
      await shell.setupDone();
      return shell.stream;
    },
    discard: () => shell.destroy(),
  };
}

interface StartedShell {
  stream: ShellStream;
  /** Resolves once the shell's first output after its setup came and is not a failure; else ends it and rejects. */
  setupDone(): Promise<void>;
  /** Resolves once a waiting shell said it waits (its output until then is dropped); else ends it and rejects. */
  waiting(): Promise<void>;
  /** Drops the connection without looking inside the machine. */
  destroy(): void;
}

async function startShell(
  container: Docker.Container,
  size: TerminalSize,
  env: Record<string, string>,
  script: (pidFile: string) => string,
  waits: boolean,
): Promise<StartedShell> {
  const id = crypto.randomBytes(6).toString('hex');
  const pidFile = `/run/berth/shell-${id}.pid`;
  const cols = clamp(size.cols, 10, 500);
  const rows = clamp(size.rows, 4, 200);
  const envList = Object.entries({ TERM: 'xterm-256color', LANG: 'C.UTF-8', HOME: '/root', ...env }).map(([k, v]) => `${k}=${v}`);
  const { stream, exec } = await startTtyExec(container, ['/bin/sh', '-c', script(pidFile)], { cols, rows }, envList);

  const dataListeners: Array<(chunk: Buffer) => void> = [];
  // Output before anyone listens (a shell opened ahead of its terminal prints its prompt) is kept for
  // the listeners registered together first, not lost.
  let early: Buffer[] | null = [];
  let earlyBytes = 0;
  let firstOutput: (chunk: Buffer | null) => void = () => undefined;
  const firstChunk = new Promise<Buffer | null>((resolve) => (firstOutput = resolve));
  const exitListeners: Array<(reason: string) => void> = [];
  let running = true;
  let closed = false;
  let pendingSize: TerminalSize | null = null;
  let resizing = false;
  /** Callers waiting for the sizes asked so far to be in effect. */
  const resized: Array<() => void> = [];

  const applyResize = async () => {
    if (resizing) return;
    if (!pendingSize || !running) {
      // Nothing left to apply, or no shell to apply it to: nobody waits on a size that will not come.
      for (const settle of resized.splice(0)) settle();
      return;
    }
    resizing = true;
    const next = pendingSize;
    pendingSize = null;
    for (let attempt = 0; running; attempt++) {
      try {
        await exec.resize({ h: clamp(next.rows, 4, 200), w: clamp(next.cols, 10, 500) });
        break;
      } catch {
        // Refused while the exec's process is still being started; a newer size replaces this one;
        // after a few tries the shell has most likely exited and there is nothing to resize.
        if (pendingSize || attempt >= 10) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    resizing = false;
    void applyResize();
  };

  // An engine older than API 1.42 ignores ConsoleSize and starts the pty at 0x0. The first size goes
  // through the same serialised path as every later one, so a resize the page sends next is never
  // overtaken by it (a size set inside the machine, by the wrapper, raced with such a resize).
  pendingSize = { cols, rows };
  const firstSize = new Promise<void>((settle) => resized.push(settle));
  void applyResize();

  // A waiting shell's output up to and including its WAITING line is Berth's, not the student's.
  let announced = !waits;
  let beforeWaiting = '';
  let onWaiting: (seen: boolean) => void = () => undefined;
  const waitingSeen = new Promise<boolean>((resolve) => (onWaiting = resolve));
  stream.on('data', (received: Buffer) => {
    let chunk = received;
    if (!announced) {
      beforeWaiting = (beforeWaiting + chunk.toString('latin1')).slice(-256);
      const at = beforeWaiting.indexOf(`${WAITING}\r\n`);
      if (at < 0) return;
      announced = true;
      onWaiting(true);
      const rest = beforeWaiting.slice(at + WAITING.length + 2);
      if (!rest) return;
      chunk = Buffer.from(rest, 'latin1');
    }
    firstOutput(chunk);
    if (early) {
      if (earlyBytes + chunk.length <= EARLY_CAP) early.push(chunk);
      earlyBytes += chunk.length;
      return;
    }
    for (const listener of dataListeners) listener(chunk);
  });
  const ended = (reason: string) => {
    firstOutput(null);
    onWaiting(false);
    if (!running) return;
    running = false;
    for (const listener of exitListeners) listener(reason);
  };
  stream.on('end', () => ended('the shell exited'));
  stream.on('close', () => ended('the shell exited'));
  stream.on('error', (err: Error) => ended(`terminal connection failed: ${err.message}`));

  // Whoever types first must find the size in place (`stty size` was 0 0 without this); a second at most.
  await Promise.race([firstSize, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);

  const fail = (message: string): never => {
    stream.destroy();
    ended('setup failed');
    throw new Error(message);
  };
  const within = <T>(p: Promise<T>): Promise<T | 'late'> => Promise.race([p, new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), SETUP_TIMEOUT_MS).unref())]);

  const handle: ShellStream = {
    id,
    write(data) {
      // Node buffers a write the socket cannot take yet; false tells the terminal to wait for 'drain'.
      return running ? stream.write(data) : true;
    },
    onDrain(listener) {
      stream.on('drain', listener);
    },
    resize(next) {
      // Coalesced and sent only to a running exec: resize before start fails (moby #31223).
      pendingSize = next;
      const done = new Promise<void>((settle) => resized.push(settle));
      void applyResize();
      return done;
    },
    pause() {
      stream.pause();
    },
    resume() {
      stream.resume();
    },
    onData(listener) {
      dataListeners.push(listener);
      if (early && dataListeners.length === 1) {
        queueMicrotask(() => {
          const kept = early ?? [];
          early = null;
          for (const chunk of kept) for (const l of dataListeners) l(chunk);
        });
      }
    },
    onExit(listener) {
      exitListeners.push(listener);
    },
    async running() {
      if (!running) return false;
      try {
        return Boolean((await exec.inspect()).Running);
      } catch {
        // No such exec any more: its container was removed.
        return false;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      // HUP lets bash pass the hang-up to its jobs; KILL of the whole session catches the rest.
      const kill = `p=$(cat ${pidFile} 2>/dev/null) || exit 0; kill -HUP $p 2>/dev/null; sleep 0.3; pkill -KILL -s $p 2>/dev/null; rm -f ${pidFile}; exit 0`;
      try {
        await runExec(container, ['/bin/sh', '-c', kill], { timeoutMs: 5000, outputCapBytes: 1024 });
      } catch {
        /* machine already gone */
      }
      stream.destroy();
      ended('closed');
    },
  };

  return {
    stream: handle,
    async setupDone() {
      // Any output comes from bash, which starts only after the setup succeeded.
      const first = await within(firstChunk);
      if (first === null || first === 'late' || first.includes(SETUP_FAILED)) {
        fail(first === 'late' ? `the shell's setup gave no sign in ${SETUP_TIMEOUT_MS / 1000} s` : "the shell's setup failed");
      }
    },
    async waiting() {
      const seen = await within(waitingSeen);
      if (seen !== true) fail(seen === 'late' ? `the waiting shell gave no sign in ${SETUP_TIMEOUT_MS / 1000} s` : 'the waiting shell ended');
    },
    destroy() {
      closed = true;
      stream.destroy();
      ended('closed');
    },
  };
}

const SETUP_FAILED = 'BERTH-SETUP-FAILED';
const WAITING = 'BERTH-SHELL-WAITING';
const SETUP_END = 'BERTH-SETUP-END';
const SETUP_CANCEL = 'BERTH-SETUP-CANCEL';
/** The image has the folder: no process to start for it, unless something removed it. */
const MAKE_RUN_DIR = '[ -d /run/berth ] || mkdir -p /run/berth';
const SETUP_TIMEOUT_MS = 10_000;
/** Output kept for a shell nobody listens to yet: a prompt or a few lines. */
const EARLY_CAP = 64 * 1024;

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.round(value) || min));
}

/** After a Berth restart the old shells lost their browser for good: end them. */
export async function endAllShells(container: Docker.Container): Promise<void> {
  const script = 'for f in /run/berth/shell-*.pid; do [ -e "$f" ] || continue; p=$(cat "$f"); pkill -KILL -s "$p" 2>/dev/null; rm -f "$f"; done; exit 0';
  await runExec(container, ['/bin/sh', '-c', script], { timeoutMs: 10_000, outputCapBytes: 1024 });
}
