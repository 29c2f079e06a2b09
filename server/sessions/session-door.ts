import crypto from 'node:crypto';
import type { Readable } from 'node:stream';
import { MachinePathNotFound, StateMismatch, storedState, UnknownMachine, type BackendState, type LabBackend, type TerminalSize } from '../backend/lab-backend';
import type { InstructorIdentity } from '../classroom';
import type { LabCatalog } from '../labs/catalog';
import type { SessionRow } from '../store/database';
import type { Terminal, TerminalViewer } from '../terminal/terminal';
import type { TerminalManager } from '../terminal/terminal-manager';
import { SessionError } from './session-error';
import type { SessionManager } from './session-manager';

/**
 * Who is asking for a session:
 * - a student, by id (the owner);
 * - an instructor who teaches the student's class (the live view); with
 *   `takingOver`, only while one of their takeovers of the session is active
 *   (the editor during a takeover);
 * - whoever holds the session's port key (the port proxy: a sandboxed page
 *   sends no cookie, the key stands in for it).
 * null: nobody (no cookie), refused like a stranger.
 */
export type Caller = { student: string } | { instructor: InstructorIdentity; takingOver?: boolean } | { portKey: string } | null;

export interface DoorDeps {
  sessions: Pick<SessionManager, 'get'>;
  backend: LabBackend;
  catalog: Pick<LabCatalog, 'get'>;
  terminals: Pick<TerminalManager, 'attach'>;
  /** The live view's rule: this instructor manages the class the student is in. */
  teaches(instructor: InstructorIdentity, studentId: string): boolean;
  /** One of this instructor's takeovers of the session is active now. */
  takingOver(instructorId: string, sessionId: string): boolean;
  /** The session's port key (server/http/port-proxy.ts, proxyKey). */
  keyFor(sessionId: string): string;
}

const NO_SESSION = 'That lab session does not exist.';
const NOT_RUNNING = 'Your lab machines are not running.';
const NO_MACHINE = 'This lab has no machine by that name.';

/**
 * The one way from a web request to a student's machines. `open` settles
 * "whose session is this and may this caller use it" once, the same way for
 * REST, sockets, the port proxy, file transfer and the editor; a stranger
 * learns only that there is no such session (`not_found`), never whose it is.
 */
export class SessionDoor {
  constructor(private readonly deps: DoorDeps) {}

  /**
   * The caller's handle on the session; `running`: refused with `conflict`
   * unless its machines are up. Several callers (one browser with a student's
   * and an instructor's cookie): any one of them admitted is enough.
   */
  open(sessionId: string, who: Caller | Caller[], opts: { running?: boolean } = {}): SessionHandle {
    const row = this.deps.sessions.get(sessionId);
    if (!row || !(Array.isArray(who) ? who : [who]).some((w) => this.admits(row, w))) throw new SessionError('not_found', NO_SESSION);
    const handle = new SessionHandle(row, this.deps);
    if (opts.running) handle.requireRunning();
    return handle;
  }

  private admits(row: SessionRow, who: Caller): boolean {
    if (!who) return false;
    if ('student' in who) return who.student === row.studentId;
    if ('portKey' in who) {
      const expected = Buffer.from(this.deps.keyFor(row.id));
      const given = Buffer.from(who.portKey);
      return given.length === expected.length && crypto.timingSafeEqual(given, expected);
    }
    if (!this.deps.teaches(who.instructor, row.studentId)) return false;
    return !who.takingOver || this.deps.takingOver(who.instructor.id, row.id);
  }
}

/** One session as the caller may use it. Machine calls need a running session (`requireRunning`, or `open` with `running`). */
export class SessionHandle {
  private typed: BackendState | null = null;

  constructor(
    readonly row: SessionRow,
    private readonly deps: DoorDeps,
  ) {}

  get id(): string {
    return this.row.id;
  }

  get studentId(): string {
    return this.row.studentId;
  }

  /**
   * Refuses with `conflict` unless the machines are up, and reads the stored
   * machine state once: a row written by another backend, or not a state at
   * all, is `unavailable` (the machines cannot be reached from here), never
   * misread. The backend checks its own version when it reads its fields.
   */
  requireRunning(): this {
    if (this.row.state !== 'running' || !this.row.backendState) throw new SessionError('conflict', NOT_RUNNING);
    let state: BackendState | null;
    try {
      state = storedState(this.row.backendState);
    } catch (err) {
      if (err instanceof StateMismatch) throw unreadable();
      throw err;
    }
    const v = state?.v;
    if (!state || state.backend !== this.deps.backend.name || (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 1))) throw unreadable();
    this.typed = state;
    return this;
  }

  /** The typed machine state of a running session (for code that works through the backend's copy calls, the editor). */
  get state(): BackendState {
    return this.typed ?? this.requireRunning().typed!;
  }

  /** `name` if the session's lab has that machine; `not_found` otherwise (a lab gone from the catalog: the backend decides). */
  machine(name: string): string {
    const lab = this.deps.catalog.get(this.row.labId);
    if (lab && !lab.machines.some((m) => m.name === name)) throw new SessionError('not_found', NO_MACHINE);
    return name;
  }

  /** Where the port proxy reaches `port` of a machine; `not_found` for a machine the engine does not know. */
  async endpoint(machine: string, port: number): Promise<{ host: string; port: number }> {
    return this.deps.backend.endpoint(this.state, this.machine(machine), port).catch((err: unknown) => {
      throw err instanceof UnknownMachine ? new SessionError('not_found', NO_MACHINE) : err;
    });
  }

  /** A tar stream of a file or folder; `not_found` when the path does not exist. */
  async copyOut(machine: string, path: string): Promise<Readable> {
    return this.deps.backend.copyOut(this.state, this.machine(machine), path).catch((err: unknown) => {
      if (err instanceof MachinePathNotFound) throw new SessionError('not_found', 'There is no such file or folder in the machine.');
      throw err instanceof UnknownMachine ? new SessionError('not_found', NO_MACHINE) : err;
    });
  }

  /** Streams `size` bytes of `body` into `dir/name`. */
  async writeFile(machine: string, dir: string, name: string, body: Readable, size: number): Promise<void> {
    return this.deps.backend.writeFile(this.state, this.machine(machine), dir, name, body, size).catch((err: unknown) => {
      throw err instanceof UnknownMachine ? new SessionError('not_found', NO_MACHINE) : err;
    });
  }

  /** Attaches a viewer to a terminal of the session (opening its shell if needed). */
  async attachTerminal(terminalId: string, machine: string, viewer: TerminalViewer, from: number, size: TerminalSize): Promise<Terminal> {
    return this.deps.terminals.attach(this.row.id, this.state, terminalId, this.machine(machine), viewer, from, size);
  }
}

function unreadable(): SessionError {
  return new SessionError('unavailable', 'Berth cannot reach the machines of this lab (they were made by another kind of backend). End the lab and start it again.');
}
