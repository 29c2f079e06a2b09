import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { ExecOutcome, ShellStream, TerminalSize } from './lab-backend';

/**
 * One machine of the in-memory backend: a file system as a map of paths, a
 * running flag, and whatever its shells were sent. Scripts do not run in a
 * real shell: a `Responder` answers them, so tests decide what "the machine"
 * does without an engine.
 */
export class FakeMachine {
  running = true;
  dead = false;
  readonly files = new Map<string, Buffer>();
  /** Every byte written into any shell of this machine, in order: what the student (or Berth) typed. */
  typed = '';
  readonly shells = new Set<FakeShell>();

  constructor(
    readonly name: string,
    readonly env: Record<string, string>,
  ) {}
}

export interface ScriptContext {
  machine: FakeMachine;
  script: string;
}

/** Answers a script run in a fake machine; `undefined` falls through to the built-in interpreter. */
export type Responder = (ctx: ScriptContext) => Partial<ExecOutcome> | undefined | Promise<Partial<ExecOutcome> | undefined>;

/**
 * The built-in interpreter: enough of bash for lab fixtures in unit tests.
 * Lines run in order (a `&&` chain stops at the first failure); the exit code
 * is the last command's. Known: true, false, exit N, echo (with > and >>),
 * touch, rm [-f], mkdir [-p], cat, test/[ -e|-f|! ... ], sleep (counted against the
 * timeout, never waited), `#` comments.
 * Anything else exits 127, as bash does for a command it cannot find.
 */
export function interpret(machine: FakeMachine, script: string, timeoutMs = Infinity): ExecOutcome {
  let stdout = '';
  // Time passes only in `sleep`, and only on paper: a script that would outlast its timeout is cut, at once.
  let slept = 0;
  let stderr = '';
  let code = 0;
  const resolve = (p: string) => path.posix.resolve('/root', p);
  const run = (words: string[]): number => {
    const [cmd, ...args] = words;
    switch (cmd) {
      case undefined:
        return 0;
      case 'sleep':
        slept += Number(args[0] ?? 0) * 1000;
        if (slept >= timeoutMs) throw new TimeoutSignal();
        return 0;
      case 'true':
      case 'mkdir':
        return 0;
      case 'false':
        return 1;
      case 'echo': {
        const redirect = args.findIndex((a) => a === '>' || a === '>>');
        const text = (redirect >= 0 ? args.slice(0, redirect) : args).join(' ') + '\n';
        if (redirect < 0) {
          stdout += text;
          return 0;
        }
        const target = resolve(args[redirect + 1] ?? '');
        const before = args[redirect] === '>>' ? (machine.files.get(target) ?? Buffer.alloc(0)) : Buffer.alloc(0);
        machine.files.set(target, Buffer.concat([before, Buffer.from(text)]));
        return 0;
      }
      case 'touch':
        for (const a of args) if (!machine.files.has(resolve(a))) machine.files.set(resolve(a), Buffer.alloc(0));
        return 0;
      case 'rm':
        for (const a of args.filter((x) => !x.startsWith('-'))) machine.files.delete(resolve(a));
        return 0;
      case 'cat': {
        for (const a of args) {
          const body = machine.files.get(resolve(a));
          if (!body) {
            stderr += `cat: ${a}: No such file or directory\n`;
            return 1;
          }
          stdout += body.toString();
        }
        return 0;
      }
      case 'test':
      case '[': {
        const rest = cmd === '[' ? args.slice(0, -1) : args;
        const negate = rest[0] === '!';
        const [flag, file] = negate ? rest.slice(1) : rest;
        const exists = (flag === '-e' || flag === '-f') && file !== undefined && machine.files.has(resolve(file));
        return exists !== negate ? 0 : 1;
      }
      case 'exit':
        throw new ExitSignal(Number(args[0] ?? 0));
      default:
        stderr += `bash: ${cmd}: command not found\n`;
        return 127;
    }
  };
  try {
    for (const line of script.split('\n')) {
      const clean = line.replace(/(^|\s)#.*$/, '').trim();
      if (!clean) continue;
      for (const part of clean.split('&&')) {
        code = run(part.trim().split(/\s+/).filter(Boolean).map(unquote));
        if (code !== 0) break;
      }
    }
  } catch (err) {
    if (err instanceof TimeoutSignal) return { exitCode: 137, stdout, stderr, timedOut: true, truncated: false, durationMs: timeoutMs };
    if (!(err instanceof ExitSignal)) throw err;
    code = err.code;
  }
  return { exitCode: code, stdout, stderr, timedOut: false, truncated: false, durationMs: slept };
}

class ExitSignal {
  constructor(readonly code: number) {}
}

class TimeoutSignal {}

function unquote(word: string): string {
  return /^(['"]).*\1$/.test(word) ? word.slice(1, -1) : word;
}

export async function answer(responder: Responder | undefined, machine: FakeMachine, script: string, outputCapBytes: number, timeoutMs = Infinity): Promise<ExecOutcome> {
  const custom = responder ? await responder({ machine, script }) : undefined;
  const base = custom ? { exitCode: 0, stdout: '', stderr: '', timedOut: false, truncated: false, durationMs: 0, ...custom } : interpret(machine, script, timeoutMs);
  const over = Buffer.byteLength(base.stdout) + Buffer.byteLength(base.stderr) > outputCapBytes;
  if (!over) return base;
  return { ...base, stdout: Buffer.from(base.stdout).subarray(0, outputCapBytes).toString(), stderr: '', truncated: true };
}

/**
 * A shell in a fake machine: echoes what it is sent, and on Enter runs the
 * line through the same responder as `exec`, then prints a prompt. Paused, it
 * holds its output until resumed (flow control, as a real pty would block).
 */
export class FakeShell implements ShellStream {
  readonly id = randomUUID();
  size: TerminalSize;
  private line = '';
  private paused = false;
  private held: Buffer[] = [];
  private readonly dataListeners: Array<(chunk: Buffer) => void> = [];
  private readonly exitListeners: Array<(reason: string) => void> = [];
  private ended = false;

  constructor(
    private readonly machine: FakeMachine,
    size: TerminalSize,
    private readonly responder: Responder | undefined,
  ) {
    this.size = size;
    machine.shells.add(this);
    // After the caller has attached its listeners (several may, one after another), as a real shell's prompt comes later.
    setImmediate(() => this.emit('$ '));
  }

  write(data: Buffer | string): void {
    if (this.ended) return;
    const text = data.toString();
    this.machine.typed += text;
    this.emit(text);
    for (const ch of text) {
      if (ch !== '\r' && ch !== '\n') {
        this.line += ch;
        continue;
      }
      const script = this.line;
      this.line = '';
      void answer(this.responder, this.machine, script, 1 << 20).then((out) => this.emit(`\r\n${out.stdout}${out.stderr}$ `));
    }
  }

  resize(size: TerminalSize): void {
    this.size = size;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    const held = this.held;
    this.held = [];
    for (const chunk of held) this.dataListeners.forEach((l) => l(chunk));
  }

  onData(listener: (chunk: Buffer) => void): void {
    this.dataListeners.push(listener);
    // Output from before anyone listened (the first prompt) is not lost, as a pty would keep it.
    if (!this.paused) this.resume();
  }

  onExit(listener: (reason: string) => void): void {
    this.exitListeners.push(listener);
  }

  /** Ends the shell from the machine's side (the machine stopped or died). */
  end(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.machine.shells.delete(this);
    this.exitListeners.forEach((l) => l(reason));
  }

  async close(): Promise<void> {
    this.end('closed');
  }

  get alive(): boolean {
    return !this.ended;
  }

  private emit(text: string): void {
    if (this.ended) return;
    const chunk = Buffer.from(text);
    if (this.paused || this.dataListeners.length === 0) this.held.push(chunk);
    else this.dataListeners.forEach((l) => l(chunk));
  }
}
