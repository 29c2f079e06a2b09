import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import {
  BackendError,
  MachinePathNotFound,
  MachineUnavailable,
  readState,
  UnknownMachine,
  type BackendState,
  type ExecOutcome,
  type FileOwnership,
  type LabBackend,
  type SessionHealth,
  type SessionSpec,
  type ShellStream,
  type StartProgress,
  type TerminalSize,
} from './lab-backend';
import { answer, FakeMachine, FakeShell, type Responder } from './fake-machine';

/**
 * The whole engine in memory, for tests of everything above the backend
 * (sessions, progress, step setup, reconcile) that must run in milliseconds
 * and without Docker. It behaves like the Docker backend as far as the
 * conformance suite (tests/backend-contract/) can tell, and one subclass per
 * misbehaviour stands in for an engine that is slow, fails or loses machines,
 * as JupyterHub's mock spawners do. Never used outside NODE_ENV=test.
 */
export interface FakeState extends BackendState {
  backend: 'fake';
  v: 1;
  sessionId: string;
  machines: string[];
}

interface FakeSession {
  network: boolean;
  machines: Map<string, FakeMachine>;
}

export interface FakeBackendOptions {
  /** Answers scripts before the built-in interpreter (see fake-machine.ts). */
  responder?: Responder;
  /** Machines kept ready; a start takes one per machine while any are left. */
  warmPool?: number;
  /** Images the engine has besides Berth's own (`dind`, `shell`); a start with any other fails, as on an engine without it. */
  images?: string[];
}

const OWN_IMAGES = ['', 'dind', 'shell'];

export class FakeBackend implements LabBackend {
  readonly name: string = 'fake';
  /** The engine: what exists, by session id. Survives a SessionManager "restart" (a new manager on the same fake). */
  readonly sessions = new Map<string, FakeSession>();
  /** Every script run with `exec`, in order, for assertions. */
  readonly execs: Array<{ sessionId: string; machine: string; script: string; timeoutMs: number }> = [];
  pool = 0;
  /** Machines taken from the pool by `start` (so tests can see the pool was used). */
  poolTaken = 0;
  startCalls = 0;
  private shutDown = false;

  constructor(readonly options: FakeBackendOptions = {}) {}

  protected state(raw: BackendState): FakeState {
    return readState<FakeState>(raw, 'fake', 1);
  }

  /** The machine, or why it cannot be used: for tests that look inside. */
  machine(raw: BackendState, name: string): FakeMachine {
    const state = this.state(raw);
    if (!state.machines.includes(name)) throw new UnknownMachine(name);
    const m = this.sessions.get(state.sessionId)?.machines.get(name);
    if (!m || m.dead) throw new MachineUnavailable(name, 'it no longer exists');
    return m;
  }

  private runningMachine(raw: BackendState, name: string): FakeMachine {
    const m = this.machine(raw, name);
    if (!m.running) throw new MachineUnavailable(name, 'it is stopped');
    return m;
  }

  async start(spec: SessionSpec, progress: StartProgress = () => undefined): Promise<BackendState> {
    this.startCalls++;
    if (this.shutDown) throw new BackendError('the backend is shut down');
    const missing = spec.machines.find((m) => !OWN_IMAGES.includes(m.image) && !(this.options.images ?? []).includes(m.image));
    if (missing) throw new BackendError(`no such image: ${missing.image}`);
    progress({ phase: 'network', detail: 'creating the network' });
    const session: FakeSession = { network: true, machines: new Map() };
    this.sessions.set(spec.sessionId, session);
    const claimed = this.claimed.delete(spec.sessionId);
    for (const m of spec.machines) {
      progress({ phase: 'machine', machine: m.name, detail: `starting ${m.name}` });
      if (!claimed && this.pool > 0 && m.docker) {
        this.pool--;
        this.poolTaken++;
      }
      session.machines.set(m.name, new FakeMachine(m.name, m.env));
    }
    const state: FakeState = { backend: 'fake', v: 1, sessionId: spec.sessionId, machines: spec.machines.map((m) => m.name) };
    try {
      await this.whileStarting(spec, state);
      for (const m of spec.machines) {
        for (const f of m.files) await this.copyIn(state, m.name, f.from, f.to, f.mode);
      }
    } catch (err) {
      // The contract: a failed start leaves nothing behind.
      this.sessions.delete(spec.sessionId);
      throw err;
    }
    progress({ phase: 'ready', detail: 'machines ready' });
    void this.warmUp();
    return state;
  }

  /** Where the variants below misbehave; the plain fake starts at once. */
  protected async whileStarting(_spec: SessionSpec, _state: FakeState): Promise<void> {}

  async stop(raw: BackendState): Promise<void> {
    const state = this.state(raw);
    const session = this.sessions.get(state.sessionId);
    if (!session) return;
    for (const m of session.machines.values()) for (const s of [...m.shells]) s.end('machine removed');
    this.sessions.delete(state.sessionId);
  }

  async pause(raw: BackendState): Promise<void> {
    const state = this.state(raw);
    for (const m of this.sessions.get(state.sessionId)?.machines.values() ?? []) {
      m.running = false;
      for (const s of [...m.shells]) s.end('machine stopped');
    }
  }

  async resume(raw: BackendState, progress: StartProgress = () => undefined): Promise<BackendState> {
    const state = this.state(raw);
    const session = this.sessions.get(state.sessionId);
    for (const name of state.machines) {
      const m = session?.machines.get(name);
      if (!m || m.dead) throw new MachineUnavailable(name, 'it no longer exists');
      m.running = true;
      progress({ phase: 'ready', machine: name, detail: `${name} ready` });
    }
    return state;
  }

  async poll(raw: BackendState): Promise<SessionHealth> {
    const state = this.state(raw);
    const machines = this.sessions.get(state.sessionId)?.machines;
    const present = state.machines.map((n) => machines?.get(n)).filter((m): m is FakeMachine => !!m && !m.dead);
    if (present.length === 0) return 'gone';
    const running = present.filter((m) => m.running).length;
    if (present.length === state.machines.length && running === present.length) return 'running';
    if (present.length === state.machines.length && running === 0) return 'paused';
    return 'partial';
  }

  async exec(raw: BackendState, machine: string, script: string, opts: { timeoutMs: number; outputCapBytes: number }): Promise<ExecOutcome> {
    const m = this.runningMachine(raw, machine);
    this.execs.push({ sessionId: this.state(raw).sessionId, machine, script, timeoutMs: opts.timeoutMs });
    return answer(this.options.responder, m, script, opts.outputCapBytes, opts.timeoutMs);
  }

  async openShell(raw: BackendState, machine: string, size: TerminalSize): Promise<ShellStream> {
    return new FakeShell(this.runningMachine(raw, machine), size, this.options.responder);
  }

  async copyIn(raw: BackendState, machine: string, hostDir: string, target: string, _mode?: string): Promise<void> {
    const m = this.runningMachine(raw, machine);
    const walk = async (dir: string, rel: string): Promise<void> => {
      for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
        const from = path.join(dir, entry.name);
        const to = path.posix.join(rel, entry.name);
        if (entry.isDirectory()) await walk(from, to);
        else m.files.set(path.posix.resolve('/root', target, to), await fs.readFile(from));
      }
    };
    await walk(hostDir, '');
  }

  async copyOut(raw: BackendState, machine: string, file: string): Promise<Readable> {
    const m = this.runningMachine(raw, machine);
    const wanted = path.posix.resolve('/root', file);
    const inside = [...m.files.entries()].filter(([p]) => p === wanted || p.startsWith(wanted + '/'));
    if (inside.length === 0) throw new MachinePathNotFound(file);
    // Like the engine's archive: entries named from the basename of the asked path.
    const pack = tar.pack();
    const base = path.posix.dirname(wanted);
    for (const [p, body] of inside) pack.entry({ name: path.posix.relative(base, p), size: body.length, mode: 0o644 }, body);
    pack.finalize();
    return Readable.from(pack);
  }

  async writeFile(raw: BackendState, machine: string, dir: string, name: string, body: Readable, size: number, _owner?: FileOwnership): Promise<void> {
    const m = this.runningMachine(raw, machine);
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(Buffer.from(chunk as Buffer));
    const data = Buffer.concat(chunks);
    if (data.length !== size) throw new BackendError(`expected ${size} bytes, got ${data.length}`);
    m.files.set(path.posix.resolve('/root', dir, name), data);
  }

  async endStaleShells(raw: BackendState): Promise<void> {
    const state = this.state(raw);
    for (const m of this.sessions.get(state.sessionId)?.machines.values() ?? []) for (const s of [...m.shells]) s.end('ended after a restart');
  }

  async endpoint(raw: BackendState, machine: string, port: number): Promise<{ host: string; port: number }> {
    this.runningMachine(raw, machine);
    return { host: '127.0.0.1', port };
  }

  async ping(): Promise<void> {
    if (this.shutDown) throw new BackendError('the backend is shut down');
  }

  async listSessions(): Promise<string[]> {
    return [...this.sessions.keys()];
  }

  async removeOrphans(keep: Set<string>): Promise<number> {
    let removed = 0;
    for (const [id, session] of this.sessions) {
      if (keep.has(id)) continue;
      removed += session.machines.size + (session.network ? 1 : 0);
      for (const m of session.machines.values()) for (const s of [...m.shells]) s.end('machine removed');
      this.sessions.delete(id);
    }
    return removed;
  }

  async warmUp(): Promise<void> {
    if (!this.shutDown) this.pool = this.options.warmPool ?? 0;
  }

  /** Sessions whose machines were claimed from the pool ahead of their start. */
  private readonly claimed = new Set<string>();

  claimWarm(spec: SessionSpec): boolean {
    if (!spec.machines.length || !spec.machines.every((m) => m.docker) || this.pool < spec.machines.length) return false;
    this.pool -= spec.machines.length;
    this.poolTaken += spec.machines.length;
    this.claimed.add(spec.sessionId);
    return true;
  }

  poolStats(): { ready: number; target: number } {
    return { ready: this.pool, target: this.options.warmPool ?? 0 };
  }

  async shutdown(): Promise<void> {
    this.shutDown = true;
  }

  async removeEverything(): Promise<number> {
    this.shutDown = true;
    const waiting = this.pool;
    this.pool = 0;
    return waiting + (await this.removeOrphans(new Set()));
  }

  /** A machine disappears from the engine (killed by the OOM killer, removed by hand). */
  kill(raw: BackendState, machine: string): void {
    const m = this.machine(raw, machine);
    m.dead = true;
    m.running = false;
    for (const s of [...m.shells]) s.end('machine died');
  }
}

/** Starts only when the test says so: `release()` lets every waiting start finish. */
export class SlowStartBackend extends FakeBackend {
  private gate: Promise<void>;
  private open: () => void = () => undefined;
  /** Sessions whose start is waiting at the gate. */
  readonly waiting = new Set<string>();

  constructor(options: FakeBackendOptions = {}) {
    super(options);
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  release(): void {
    this.open();
  }

  protected override async whileStarting(spec: SessionSpec): Promise<void> {
    this.waiting.add(spec.sessionId);
    await this.gate;
    this.waiting.delete(spec.sessionId);
  }
}

/** Every start fails after it made its machines (which it must then remove). */
export class FailingStartBackend extends FakeBackend {
  protected override async whileStarting(): Promise<void> {
    throw new Error('the engine refused to start the machine (fake)');
  }
}

/** A start that never finishes: the engine hangs. It rejects only at shutdown, so tests can end. */
export class NeverStartsBackend extends FakeBackend {
  private readonly hung: Array<(err: Error) => void> = [];

  protected override whileStarting(): Promise<void> {
    return new Promise((_resolve, reject) => this.hung.push(reject));
  }

  override async shutdown(): Promise<void> {
    await super.shutdown();
    this.hung.splice(0).forEach((reject) => reject(new BackendError('the backend shut down during a start')));
  }
}

/** Machines die after `execsBeforeDeath` execs in their session (a machine lost mid-lab). */
export class MachineDiesBackend extends FakeBackend {
  private readonly count = new Map<string, number>();

  constructor(
    private readonly execsBeforeDeath: number,
    options: FakeBackendOptions = {},
  ) {
    super(options);
  }

  override async exec(raw: BackendState, machine: string, script: string, opts: { timeoutMs: number; outputCapBytes: number }): Promise<ExecOutcome> {
    const id = this.state(raw).sessionId;
    const n = (this.count.get(id) ?? 0) + 1;
    this.count.set(id, n);
    if (n > this.execsBeforeDeath) this.kill(raw, machine);
    return super.exec(raw, machine, script, opts);
  }
}
