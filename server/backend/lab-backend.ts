import type { Readable } from 'node:stream';

/**
 * The lifecycle of one session's machines, in the spirit of JupyterHub's
 * Spawner: the web layer hands over a spec, keeps the opaque state it gets
 * back (persisted as JSON), and never learns that Docker is underneath.
 */
export interface MachineSpec {
  name: string;
  image: string;
  docker: boolean;
  memoryBytes?: number;
  cpus?: number;
  pids?: number;
  env: Record<string, string>;
  files: Array<{ from: string; to: string; mode?: string }>;
}

export interface SessionSpec {
  sessionId: string;
  labId: string;
  studentId: string;
  machines: MachineSpec[];
}

/** Opaque to everyone but the backend that produced it; stored as JSON. */
export type BackendState = { backend: string } & Record<string, unknown>;

export type SessionHealth = 'running' | 'paused' | 'partial' | 'gone';

export interface ExecOutcome {
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  truncated: boolean;
  durationMs: number;
}

export interface TerminalSize {
  cols: number;
  rows: number;
}

/** A live interactive shell in a machine. Bytes in, bytes out: no decoding. */
export interface ShellStream {
  readonly id: string;
  write(data: Buffer | string): void;
  /** Applied once the shell runs; earlier calls are queued, never sent to a shell that does not exist yet. */
  resize(size: TerminalSize): void;
  /** Flow control: stop reading from the shell (it blocks when the pty fills). */
  pause(): void;
  resume(): void;
  onData(listener: (chunk: Buffer) => void): void;
  onExit(listener: (reason: string) => void): void;
  /** Ends the shell and everything it started inside the machine. */
  close(): Promise<void>;
}

export type StartProgress = (event: { phase: 'network' | 'machine' | 'ready' | 'files'; machine?: string; detail?: string }) => void;

export interface LabBackend {
  readonly name: string;
  start(spec: SessionSpec, progress?: StartProgress): Promise<BackendState>;
  /** Removes every machine, network and volume of the session. Safe to call twice. */
  stop(state: BackendState): Promise<void>;
  /** Stops machines but keeps their disks, so resume finds files and pulled images. */
  pause(state: BackendState): Promise<void>;
  resume(state: BackendState, progress?: StartProgress): Promise<BackendState>;
  poll(state: BackendState): Promise<SessionHealth>;
  exec(state: BackendState, machine: string, script: string, opts: { timeoutMs: number; outputCapBytes: number }): Promise<ExecOutcome>;
  openShell(state: BackendState, machine: string, size: TerminalSize, env?: Record<string, string>): Promise<ShellStream>;
  copyIn(state: BackendState, machine: string, hostDir: string, target: string, mode?: string): Promise<void>;
  copyOut(state: BackendState, machine: string, path: string): Promise<Readable>;
  /** Streams exactly `size` bytes of `body` into `dir/name` in a machine, never holding the file whole. */
  writeFile(state: BackendState, machine: string, dir: string, name: string, body: Readable, size: number): Promise<void>;
  /** Ends every shell an earlier Berth process left running in the session's machines. */
  endStaleShells(state: BackendState): Promise<void>;
  /** Where the proxy can reach `port` of a machine from the Berth process. */
  endpoint(state: BackendState, machine: string, port: number): Promise<{ host: string; port: number }>;
  /** Session ids that have objects in the engine, for reconcile on start-up. */
  listSessions(): Promise<string[]>;
  /** Removes every object of ours whose session is not in `keep` (pool objects excepted). */
  removeOrphans(keep: Set<string>): Promise<number>;
  /** Optional warm pool; no-ops for backends without one. */
  warmUp(): Promise<void>;
  shutdown(): Promise<void>;
}
