import type { Readable } from 'node:stream';

/**
 * The lifecycle of one session's machines, in the spirit of JupyterHub's
 * Spawner: the session layer hands over a spec, keeps the state it gets back
 * (persisted as JSON in the session row), and never learns what engine is
 * underneath. `server/docker/` is one implementation, `fake-backend.ts` (tests)
 * another; `tests/backend-contract/` is the suite every implementation passes.
 *
 * Failures: every method rejects only with the error classes below or with a
 * plain Error for "the engine failed" (the session layer treats those as
 * `unavailable`); engine-specific error shapes never cross this interface.
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

/**
 * What a backend keeps about one session, stored as JSON in the session row.
 * `backend` is the tag of the backend that wrote it and `v` the version of its
 * shape; each backend checks both before it reads its own fields (see
 * `readState`), so a row written by another backend or a newer Berth is refused
 * with `StateMismatch` instead of being misread. Rows written before versions
 * existed have no `v` and count as version 1.
 */
export interface BackendState {
  readonly backend: string;
  readonly v?: number;
  readonly [field: string]: unknown;
}

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

/** The size a shell opened before any page asked for it starts with; the page's attach resizes it. */
export const UNSEEN_TERMINAL_SIZE: TerminalSize = { cols: 80, rows: 24 };

/** A live interactive shell in a machine. Bytes in, bytes out: no decoding. */
export interface ShellStream {
  readonly id: string;
  /**
   * Returns false when the shell's stream is full (the shell is not reading):
   * the caller should wait for `onDrain` before writing more. `void` from a
   * backend without backpressure means accepted.
   */
  write(data: Buffer | string): boolean | void;
  /** Called when a stream that returned false from `write` can take more. */
  onDrain?(listener: () => void): void;
  /**
   * Applied once the shell runs; earlier calls are queued, never sent to a shell
   * that does not exist yet. A promise, if returned, settles once this size (or
   * a newer one) is in effect or has been given up on; it never rejects.
   */
  resize(size: TerminalSize): void | Promise<void>;
  /** Flow control: stop reading from the shell (it blocks when the pty fills). */
  pause(): void;
  resume(): void;
  onData(listener: (chunk: Buffer) => void): void;
  onExit(listener: (reason: string) => void): void;
  /**
   * Asks the engine whether the shell still runs. A stream can outlive its
   * shell without ending (the machine removed behind Berth's back); absent
   * means the stream's own end is trusted.
   */
  running?(): Promise<boolean>;
  /** Ends the shell and everything it started inside the machine. */
  close(): Promise<void>;
}

/** Base of every error a backend raises on purpose; anything else is "the engine failed". */
export class BackendError extends Error {}

/** The stored state was written by another backend, or by a newer version of this one. */
export class StateMismatch extends BackendError {
  constructor(
    readonly expected: string,
    readonly found: unknown,
  ) {
    super(`stored machine state belongs to ${JSON.stringify(found)}, not to the ${expected} backend`);
  }
}

/** The session has no machine of that name (a lab edited under a running session, a bad request). */
export class UnknownMachine extends BackendError {
  constructor(readonly machine: string) {
    super(`this lab has no machine named "${machine}"`);
  }
}

/** The machine exists in the state but not (or no longer) in the engine, or it is not running. */
export class MachineUnavailable extends BackendError {
  constructor(
    readonly machine: string,
    why: string,
  ) {
    super(`machine ${machine} is not available: ${why}`);
  }
}

/**
 * The engine has no room for another lab: Docker's address pools are used up
 * (31 bridge networks with Docker's defaults, one per running lab). Said to
 * the student in words the instructor can act on.
 */
export class EngineFull extends BackendError {
  constructor(readonly resource: 'network addresses') {
    super(
      'The lab machine host has no network addresses left for another lab (Docker\'s address pools are used up). Tell your instructor: docs/deploy.md, "Room for a class", says how to make room.',
    );
  }
}

/**
 * A start that did not finish in time: some engine call on its way never
 * answered (a stuck or overloaded engine). What it made is removed; trying
 * again may land on a calmer engine.
 */
export class EngineStuck extends BackendError {
  constructor(
    readonly seconds: number,
    readonly step: string,
  ) {
    super(`the lab machine host did not get your machines ready within ${seconds} s, while ${step}: its Docker engine may be overloaded`);
  }
}

/** A path asked of `copyOut` does not exist in the machine. */
export class MachinePathNotFound extends BackendError {
  constructor(readonly path: string) {
    super(`no such file or folder in the machine: ${path}`);
  }
}

/**
 * Checks the tag and version of a stored state and returns it typed as the
 * caller's own shape. Each backend calls this first in every method that takes
 * a state. `version` is the newest shape the backend writes; older rows are
 * accepted (the backend upgrades them when it reads its fields), newer refused.
 */
export function readState<T extends BackendState>(raw: BackendState | Record<string, unknown> | null | undefined, backend: string, version: number): T {
  if (!raw || typeof raw !== 'object' || raw.backend !== backend) throw new StateMismatch(backend, raw?.backend);
  const v = raw.v === undefined ? 1 : raw.v;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > version) throw new StateMismatch(backend, `${String(raw.backend)} v${String(v)}`);
  return raw as T;
}

/** A stored session's state as the interface type, or null when it has none yet (queued, failed before start). */
export function storedState(raw: Record<string, unknown> | null | undefined): BackendState | null {
  if (!raw) return null;
  if (typeof raw.backend !== 'string') throw new StateMismatch('any', raw.backend);
  return raw as BackendState;
}
/** Mode bits and numeric owner of a file inside a machine. */
export interface FileOwnership {
  mode: number;
  uid: number;
  gid: number;
}

export type StartProgress = (event: { phase: 'network' | 'machine' | 'ready' | 'files'; machine?: string; detail?: string }) => void;

/**
 * Idempotency, in short: `stop`, `pause`, `removeOrphans`, `endStaleShells`,
 * `warmUp` and `shutdown` may be called again with the same arguments and do
 * nothing more; `start` is not (each call makes new machines); `resume` on a
 * running session returns its state unchanged.
 */
export interface LabBackend {
  /** The tag written into every state this backend returns (`backend` field). */
  readonly name: string;
  /**
   * Creates and starts every machine of the spec, on a network of its own,
   * copies the spec's files in, and resolves once every machine answers `exec`.
   * On failure it removes whatever it made before rejecting.
   */
  start(spec: SessionSpec, progress?: StartProgress): Promise<BackendState>;
  /** Removes every machine, network and volume of the session, including ones the state does not list. Safe to call twice. */
  stop(state: BackendState): Promise<void>;
  /** Stops machines but keeps their disks, so resume finds files and pulled images. Shells and execs end. Safe to call twice. */
  pause(state: BackendState): Promise<void>;
  /** Starts paused machines again and waits until they answer `exec`; returns the (possibly updated) state to store. */
  resume(state: BackendState, progress?: StartProgress): Promise<BackendState>;
  /** What the engine says now: all running, all stopped (`paused`), some of each or missing (`partial`), nothing left (`gone`). Never rejects for a missing session. */
  poll(state: BackendState): Promise<SessionHealth>;
  /**
   * Runs a bash script as root in `/root` without a terminal. A non-zero exit,
   * a timeout (`timedOut`, the script is killed) or cut output (`truncated`)
   * are outcomes, not errors. Rejects with `UnknownMachine` or `MachineUnavailable`.
   */
  exec(state: BackendState, machine: string, script: string, opts: { timeoutMs: number; outputCapBytes: number }): Promise<ExecOutcome>;
  /**
   * A new interactive login shell with a pty, at `size`; each call is a new shell (the first for a
   * machine may be one the backend opened while the machine got ready: output it printed before anyone
   * listened reaches the first `onData` listeners). Rejects like `exec`.
   */
  openShell(state: BackendState, machine: string, size: TerminalSize, env?: Record<string, string>): Promise<ShellStream>;
  /** Copies a host folder's contents into `target` (created if missing); `mode` applies to every copied file. */
  copyIn(state: BackendState, machine: string, hostDir: string, target: string, mode?: string): Promise<void>;
  /** A tar stream of `path` (file or folder). Rejects with `MachinePathNotFound` when it does not exist. */
  copyOut(state: BackendState, machine: string, path: string): Promise<Readable>;
  /** Optional: bytes each session's machines have written (writable layers and volumes), for the disk budget. */
  diskUsage?(states: BackendState[]): Promise<number[]>;
  /**
   * Streams exactly `size` bytes of `body` into `dir/name` in a machine, never holding the file whole.
   * `owner` keeps a file's mode and owner when it is saved over (the editor); default 0644 root:root.
   */
  writeFile(state: BackendState, machine: string, dir: string, name: string, body: Readable, size: number, owner?: FileOwnership): Promise<void>;
  /** Ends every shell an earlier Berth process left running in the session's machines. Safe to call twice. */
  endStaleShells(state: BackendState): Promise<void>;
  /** Where the proxy can reach `port` of a machine from the Berth process. Rejects like `exec`; does not check that anything listens. */
  endpoint(state: BackendState, machine: string, port: number): Promise<{ host: string; port: number }>;
  /** Session ids that have objects in the engine, for reconcile on start-up. */
  listSessions(): Promise<string[]>;
  /** Removes every object of ours whose session is not in `keep` (pool objects excepted); returns how many. */
  removeOrphans(keep: Set<string>): Promise<number>;
  /** Resolves when the engine answers (health checks, metrics); rejects with why it does not. */
  ping(): Promise<void>;
  /**
   * Optional: watch the engine for going away. Resolves once watching (rejects if the engine does not
   * answer); calls `onLost` once when the engine stops or restarts, however briefly. The returned
   * function stops watching without calling `onLost`.
   */
  watchEngine?(onLost: () => void): Promise<() => void>;
  /** Fills the optional warm pool (machines started ahead of any student); no-op for backends without one. */
  warmUp(): Promise<void>;
  /**
   * Optional: takes waiting machines for every machine of `spec` now, if the warm pool has them all,
   * and returns true; the next `start` of that session adopts them. Such a start is light on the
   * engine, so the caller need not hold it back behind cold starts. False: nothing was taken.
   */
  claimWarm?(spec: SessionSpec): boolean;
  /** Optional: keep `extra` more started machines than configured (a class about to start); 0 ends it. */
  prewarm?(extra: number): Promise<{ ready: number; target: number }>;
  /** Optional: the warm pool now (machines ready, machines wanted). */
  poolStats?(): { ready: number; target: number };
  /** Stops background work (pool filling). Machines stay: a restarted Berth re-adopts them. */
  shutdown(): Promise<void>;
  /**
   * `berth down`: stops filling the pool and removes every object of this Berth, sessions' and the
   * pool's alike; returns how many. Safe to call twice (the second removes nothing).
   */
  removeEverything(): Promise<number>;
}
