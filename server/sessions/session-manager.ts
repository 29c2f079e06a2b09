// Over ~350 lines on purpose: this is one state machine (queue → starting → running ⇄ paused → ended)
// whose transitions share the queue, the in-flight map and the activity map; split across files,
// the rule "one transition at a time per session" would have no single place to be read.
// Lab and step setup already live in step-setup.ts, errors in session-error.ts.
import os from 'node:os';
import type { BerthConfig } from '../config';
import { EngineStuck, storedState, type BackendState, type LabBackend, type SessionSpec } from '../backend/lab-backend';
import { newSessionId } from './session-id';
import type { SessionState, SessionStatusEvent } from '../contracts/protocol';
import type { EventBus } from '../events';
import type { LabCatalog } from '../labs/catalog';
import type { LabDefinition } from '../labs/types';
import type { SessionRow, Store } from '../store/database';
import { sessionLog } from '../log';
import { SessionError } from './session-error';
import { Semaphore } from './semaphore';
import type { SessionPolicy } from '../classroom/session-policy';
import type { StepSetup } from './step-setup';
import { publicMessage } from '../public-error';

/** Also what a restart of Berth says of a lab it finds with its machines stopped. */
export const MACHINES_STOPPED_DETAIL =
  'Your lab machines had stopped (outside Berth, or while Berth restarted), so your lab was paused. Your files and images are kept; resume to continue.';

// Re-exported: the web layers and other engineers' modules import SessionError from here.
export { SessionError, type SessionErrorCode } from './session-error';

/** The stored machine state of a session, typed; null before its machines exist. */
export function stateOf(row: SessionRow): BackendState | null {
  return storedState(row.backendState);
}

/** What `start` returns: the session row plus, while queued, the place in line. */
export interface SessionTicket {
  session: SessionRow;
  queuePosition?: number;
}

const ACTIVE: SessionState[] = ['starting', 'running', 'resuming'];

/**
 * Warm starts under way at once. A warm start is light on the engine, but its machine's own work (the
 * hostname, bash's login) needs the host's CPU: thirty at once share it and all reach their prompts
 * late together (median 1.2 s here); one per core reach them in turn (0.6–0.8 s; bench/classroom.ts,
 * BENCH_PREWARM=1, bench/README.md).
 */
export const WARM_START_SLOTS = Math.max(2, os.cpus().length);

/**
 * Owns the lifecycle of every session: queue → starting → running ⇄ paused →
 * ended. Talks to machines only through the LabBackend, persists every change
 * to the store before announcing it, and announces through the event bus.
 */
export class SessionManager {
  private readonly queue: string[] = [];
  private readonly details = new Map<string, string>();
  private readonly engine: Semaphore;
  private readonly warm = new Semaphore(WARM_START_SLOTS);
  private sweeper: NodeJS.Timeout | null = null;
  private readonly inFlight = new Map<string, Promise<void>>();
  /** Last input per session, kept in memory and written through on sweep. */
  private readonly activity = new Map<string, number>();
  /** Per-class rules (which labs, limits); set by the classroom once it exists. */
  policy: SessionPolicy | null = null;

  constructor(
    private readonly config: BerthConfig,
    private readonly store: Store,
    private readonly backend: LabBackend,
    private readonly catalog: LabCatalog,
    private readonly bus: EventBus,
    /** Lab setup and step 0 while a lab starts (step-setup.ts owns every step's setup). */
    private readonly stepSetup: StepSetup,
  ) {
    // Starting machines is the heaviest thing Berth asks of the engine; a few at a time keeps everyone moving.
    this.engine = new Semaphore(Math.max(1, config.sessions.startConcurrency));
  }

  /** Re-adopts sessions Berth knew before a restart and removes everything else it labelled. */
  async reconcile(): Promise<{ adopted: string[]; failed: string[]; removed: number }> {
    const adopted: string[] = [];
    const failed: string[] = [];
    for (const row of this.store.liveSessions()) {
      if (row.state === 'queued') {
        this.queue.push(row.id);
        continue;
      }
      if (row.state === 'stopping') {
        // The student had ended the lab; finish the job the crash interrupted.
        await this.removeMachines(row, 'finishing an interrupted stop');
        this.stepSetup.forget(row.id);
        this.store.updateSession(row.id, { state: 'ended', endedAt: Date.now() });
        continue;
      }
      const state = stateOf(row);
      const health = state
        ? await this.backend.poll(state).catch((err: unknown) => {
            // A state the backend cannot read (another backend's, a newer Berth's) counts as gone.
            sessionLog(row.id).warn({ err: String(err) }, 'reconcile: poll failed, treating the machines as gone');
            return 'gone' as const;
          })
        : 'gone';
      if (state && health === 'running' && (row.state === 'running' || row.state === 'starting' || row.state === 'resuming')) {
        await this.backend.endStaleShells(state);
        this.store.updateSession(row.id, { state: 'running' });
        adopted.push(row.id);
      } else if (state && (health === 'paused' || (health === 'running' && row.state === 'paused'))) {
        if (health === 'running') await this.backend.pause(state).catch((err: unknown) => sessionLog(row.id).warn({ err: String(err) }, 'reconcile: pause failed'));
        this.store.updateSession(row.id, { state: 'paused', pausedBecause: row.state === 'paused' ? row.pausedBecause : MACHINES_STOPPED_DETAIL });
        adopted.push(row.id);
      } else {
        await this.removeMachines(row, 'removing a session that did not survive the restart');
        this.stepSetup.forget(row.id);
        this.store.updateSession(row.id, { state: 'failed', error: 'Berth restarted while your lab was starting. Start it again.', endedAt: Date.now() });
        failed.push(row.id);
      }
    }
    const keep = new Set(this.store.liveSessions().map((s) => s.id));
    const removed = await this.backend.removeOrphans(keep);
    this.pumpQueue();
    return { adopted, failed, removed };
  }

  startSweeper(intervalMs = 15_000): void {
    this.sweeper = setInterval(() => void this.sweep(), intervalMs);
    this.sweeper.unref();
  }

  async close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    await Promise.allSettled([...this.inFlight.values()]);
  }

  get(id: string): SessionRow | undefined {
    return this.store.getSession(id);
  }

  detail(id: string): string | undefined {
    const row = this.store.getSession(id);
    return row ? this.detailOf(row) : undefined;
  }

  /** What the student is told beside the state: a passing detail, or why a paused lab was paused (kept through restarts). */
  private detailOf(row: SessionRow): string | undefined {
    return this.details.get(row.id) ?? (row.state === 'paused' ? (row.pausedBecause ?? undefined) : undefined);
  }

  queuePosition(id: string): number | undefined {
    const i = this.queue.indexOf(id);
    return i >= 0 ? i + 1 : undefined;
  }

  /** Waits for whatever start/resume/stop is running for the session (tests, CLI). */
  async settled(id: string): Promise<void> {
    while (this.inFlight.has(id)) await this.inFlight.get(id);
  }

  touch(id: string): void {
    this.activity.set(id, Date.now());
  }

  private activeCount(): number {
    return this.store.liveSessions().filter((s) => ACTIVE.includes(s.state)).length;
  }

  async start(studentId: string, labId: string): Promise<SessionTicket> {
    const lab = this.catalog.get(labId);
    if (!lab) throw new SessionError('not_found', `There is no lab called "${labId}".`);
    this.policy?.admit(studentId, labId);
    const mine = this.store.studentSessions(studentId);
    const same = mine.find((s) => s.labId === labId);
    if (same) return { session: same, queuePosition: this.queuePosition(same.id) };
    if (mine.length >= this.config.sessions.maxPerStudent) {
      const other = mine[0];
      const title = this.catalog.get(other.labId)?.title ?? other.labId;
      throw new SessionError('conflict', `You already have a lab open: "${title}". End it before starting another one.`, { activeSessionId: other.id });
    }
    const now = Date.now();
    const row: SessionRow = {
      id: newSessionId(),
      studentId,
      labId,
      state: 'queued',
      backendState: null,
      createdAt: now,
      expiresAt: now + (this.policy?.sessionMinutes(studentId) ?? this.config.sessions.timeLimitMinutes) * 60_000,
      lastActivityAt: now,
      extensions: 0,
      error: null,
      endedAt: null,
    };
    this.store.insertSession(row);
    this.queue.push(row.id);
    this.pumpQueue();
    const session = this.store.getSession(row.id)!;
    const position = this.queuePosition(row.id);
    if (position) {
      this.details.set(row.id, `Berth is full right now (${this.config.sessions.maxRunning} labs running). You are number ${position} in line; your lab starts by itself when a place frees up.`);
      this.announce(session);
    }
    return { session, queuePosition: position };
  }

  private pumpQueue(): void {
    while (this.queue.length && this.activeCount() < this.config.sessions.maxRunning) {
      // A class at its own limit waits; students of other classes behind it go first.
      const next = this.queue.findIndex((q) => this.policy?.hasRoom(this.store.getSession(q)?.studentId ?? '') ?? true);
      if (next < 0) break;
      const id = this.queue.splice(next, 1)[0];
      const row = this.store.getSession(id);
      if (!row || row.state !== 'queued') continue;
      this.store.updateSession(id, { state: 'starting' });
      this.track(id, this.launch(id));
    }
    this.queue.forEach((id, i) => {
      const row = this.store.getSession(id);
      if (!row) return;
      this.details.set(id, `Berth is full right now. You are number ${i + 1} in line; your lab starts by itself when a place frees up.`);
      this.announce(row);
    });
  }

  private track(id: string, work: Promise<void>): void {
    const p = work.finally(() => {
      if (this.inFlight.get(id) === p) this.inFlight.delete(id);
    });
    this.inFlight.set(id, p);
  }

  specFor(lab: LabDefinition, row: SessionRow): SessionSpec {
    return {
      sessionId: row.id,
      labId: lab.id,
      studentId: row.studentId,
      machines: lab.machines.map((m) => ({
        name: m.name,
        image: m.image,
        docker: m.docker,
        memoryBytes: m.memoryBytes,
        cpus: m.cpus,
        pids: m.pids,
        env: m.env,
        files: m.files,
      })),
    };
  }

  private async launch(id: string): Promise<void> {
    const row = this.store.getSession(id)!;
    const lab = this.catalog.get(row.labId);
    this.setDetail(row, 'Creating your lab machines…');
    try {
      if (!lab) throw new Error(`lab ${row.labId} is no longer available`);
      const spec = this.specFor(lab, row);
      const start = () =>
        this.backend.start(spec, (e) => {
          if (e.detail) this.setDetail(this.store.getSession(id)!, capitalise(e.detail) + '…');
        });
      // A start the warm pool serves whole is light on the engine: it does not wait behind cold starts
      // (a pre-warmed class pressing Start together went six at a time), only behind other warm ones.
      const state = await (this.backend.claimWarm?.(spec) ? this.warm.run(start) : this.engine.run(start));
      this.store.updateSession(id, { backendState: state });
      // The student may have ended the lab while machines were starting.
      if (this.store.getSession(id)?.state !== 'starting') {
        await this.backend.stop(state);
        return;
      }
      await this.stepSetup.prepare(id, lab, state);
      this.store.updateSession(id, { state: 'running', lastActivityAt: Date.now() });
      this.activity.set(id, Date.now());
      this.details.delete(id);
      this.announce(this.store.getSession(id)!);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      sessionLog(id).error({ err: message }, 'start failed');
      const current = this.store.getSession(id);
      if (current) await this.removeMachines(current, 'cleaning up after a failed start');
      this.stepSetup.forget(id);
      this.store.updateSession(id, { state: 'failed', error: `Your lab machines could not start (${publicMessage(err)}). Try again; if it keeps failing, tell your instructor.`, endedAt: Date.now() });
      this.announce(this.store.getSession(id)!);
      this.pumpQueue();
    }
  }

  /** Removes a session's machines where failing must not stop the caller; the failure is logged, reconcile retries orphans. */
  private async removeMachines(row: SessionRow, why: string): Promise<void> {
    const state = stateOf(row);
    if (!state) return;
    await this.backend.stop(state).catch((err: unknown) => sessionLog(row.id).warn({ err: String(err) }, `${why}: could not remove the machines`));
  }

  async stop(id: string, reason: 'student' | 'expired' | 'admin' = 'student'): Promise<SessionRow> {
    const row = this.mustGet(id);
    if (row.state === 'ended' || row.state === 'failed') return row;
    const queued = this.queue.indexOf(id);
    if (queued >= 0) this.queue.splice(queued, 1);
    this.store.updateSession(id, { state: 'stopping' });
    this.setDetail(this.store.getSession(id)!, reason === 'expired' ? 'Time is up: removing your lab machines…' : 'Removing your lab machines…');
    this.bus.emit('ended', { sessionId: id });
    const work = (async () => {
      // A start or resume still running settles first (its own failure is reported by it, not here).
      await this.inFlight.get(id)?.catch(() => undefined);
      const latest = this.store.getSession(id)!;
      const state = stateOf(latest);
      if (state) await this.backend.stop(state);
      this.stepSetup.forget(id);
      this.store.updateSession(id, { state: 'ended', endedAt: Date.now(), error: reason === 'expired' ? 'Time is up for this lab. Your progress is saved.' : null });
      this.details.delete(id);
      this.activity.delete(id);
      this.announce(this.store.getSession(id)!);
      this.pumpQueue();
    })();
    this.track(id, work);
    await work;
    return this.store.getSession(id)!;
  }

  /** Sessions whose pause is under way (the store still says running until the machines have stopped). */
  private readonly pausing = new Set<string>();

  /** A start, resume or pause of this session is under way. */
  busy(id: string): boolean {
    return this.inFlight.has(id) || this.pausing.has(id);
  }

  /** `detail`: why, for the student; an idle pause by default. */
  async pause(id: string, detail = 'Your lab was paused because nobody typed for a while. Your files and images are kept; resume to continue.'): Promise<SessionRow> {
    const row = this.mustGet(id);
    const state = stateOf(row);
    if (row.state !== 'running' || !state || this.pausing.has(id)) return row;
    this.pausing.add(id);
    try {
      this.bus.emit('machinesDown', { sessionId: id });
      await this.backend.pause(state);
    } finally {
      this.pausing.delete(id);
    }
    this.store.updateSession(id, { state: 'paused', pausedBecause: detail });
    this.details.delete(id);
    this.announce(this.store.getSession(id)!);
    this.pumpQueue();
    return this.store.getSession(id)!;
  }

  async resume(id: string): Promise<SessionRow> {
    const row = this.mustGet(id);
    const paused = stateOf(row);
    if (row.state !== 'paused' || !paused) return row;
    // Waking machines is starting them again: the class's rules may have changed while they slept.
    this.policy?.admit(row.studentId, row.labId);
    if (this.activeCount() >= this.config.sessions.maxRunning || !(this.policy?.hasRoom(row.studentId) ?? true)) {
      throw new SessionError('unavailable', 'Berth is full right now; try resuming again in a minute.');
    }
    this.store.updateSession(id, { state: 'resuming' });
    this.setDetail(this.store.getSession(id)!, 'Waking your lab machines…');
    const work = (async () => {
      try {
        const state = await this.engine.run(() => this.backend.resume(paused));
        this.store.updateSession(id, { state: 'running', backendState: state, lastActivityAt: Date.now(), pausedBecause: null });
        this.activity.set(id, Date.now());
        this.details.delete(id);
      } catch (err) {
        // The student reads only publicMessage's words; the engine's own are for the admin.
        sessionLog(id).error({ err: err instanceof Error ? err.message : String(err) }, 'resume failed');
        if (err instanceof EngineStuck) {
          // The engine did not answer, which says nothing against the machines: they keep the student's work, and
          // the lab stays paused to be resumed again (the next resume takes them as it finds them).
          this.store.updateSession(id, { state: 'paused', pausedBecause: `Your lab could not be woken (${publicMessage(err)}). Your files are kept; try again in a minute.` });
          this.details.delete(id);
          this.announce(this.store.getSession(id)!);
          return;
        }
        this.store.updateSession(id, { state: 'failed', error: `Your lab could not be resumed (${publicMessage(err)}).`, endedAt: Date.now() });
        await this.removeMachines(row, 'cleaning up after a failed resume');
        this.stepSetup.forget(id);
      }
      this.announce(this.store.getSession(id)!);
    })();
    this.track(id, work);
    return this.store.getSession(id)!;
  }

  async reset(id: string): Promise<SessionTicket> {
    const row = this.mustGet(id);
    // Asked before anything is stopped or wiped: a reset the class would refuse to restart must lose nothing.
    this.policy?.admit(row.studentId, row.labId);
    await this.stop(id);
    this.store.resetProgress(row.studentId, row.labId);
    this.bus.emit('progressReset', { studentId: row.studentId, labId: row.labId });
    return this.start(row.studentId, row.labId);
  }

  extend(id: string): SessionRow {
    const row = this.mustGet(id);
    if (row.extensions >= this.config.sessions.maxExtensions) {
      throw new SessionError('conflict', 'This lab cannot be extended any further.');
    }
    const expiresAt = Math.max(row.expiresAt, Date.now()) + this.config.sessions.extendMinutes * 60_000;
    this.store.updateSession(id, { expiresAt, extensions: row.extensions + 1 });
    const next = this.store.getSession(id)!;
    this.announce(next);
    return next;
  }

  /** Time limits, idle pauses and the clean-up of long-paused sessions. */
  async sweep(now = Date.now()): Promise<void> {
    for (const row of this.store.liveSessions()) {
      const last = Math.max(this.activity.get(row.id) ?? 0, row.lastActivityAt);
      if (last !== row.lastActivityAt) this.store.updateSession(row.id, { lastActivityAt: last });
      try {
        if (row.state === 'running' && now >= row.expiresAt) await this.stop(row.id, 'expired');
        else if (row.state === 'paused' && now - last > this.config.sessions.pausedRetentionHours * 3_600_000) await this.stop(row.id, 'expired');
        else if (row.state === 'paused' && now >= row.expiresAt) await this.stop(row.id, 'expired');
        else if (row.state === 'running' && this.idleMinutes(row) > 0 && now - last > this.idleMinutes(row) * 60_000 && !this.inFlight.has(row.id))
          await this.pause(row.id);
      } catch (err) {
        sessionLog(row.id).error({ err: err instanceof Error ? err.message : String(err) }, 'sweep failed');
      }
    }
  }

  extensionsLeft(row: SessionRow): number {
    return Math.max(0, this.config.sessions.maxExtensions - row.extensions);
  }

  private idleMinutes(row: SessionRow): number {
    return this.policy?.idleMinutes(row.studentId) ?? this.config.sessions.idleMinutes;
  }

  private mustGet(id: string): SessionRow {
    const row = this.store.getSession(id);
    if (!row) throw new SessionError('not_found', 'That lab session does not exist.');
    return row;
  }

  private setDetail(row: SessionRow, detail: string): void {
    this.details.set(row.id, detail);
    this.announce(row);
  }

  private announce(row: SessionRow): void {
    this.bus.emit('status', { ...this.statusOf(row), studentId: row.studentId });
  }

  /** The session's status as announced, for a page that starts watching after the last announcement. */
  statusOf(row: SessionRow): SessionStatusEvent {
    return {
      sessionId: row.id,
      state: row.state,
      queuePosition: this.queuePosition(row.id),
      detail: this.detailOf(row),
      expiresAt: row.expiresAt,
      idleAt: this.idleMinutes(row) > 0 ? (this.activity.get(row.id) ?? row.lastActivityAt) + this.idleMinutes(row) * 60_000 : undefined,
      error: row.error ?? undefined,
    };
  }
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
