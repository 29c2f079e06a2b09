/**
 * A whole Berth minus the web layers, on the in-memory fake backend: real
 * SQLite store (in memory), real catalog of the runtime fixture labs, real
 * session manager, progress service, step setup, check runner and terminal
 * manager. Nothing here touches Docker, so these tests run with it stopped.
 */
import path from 'node:path';
import { FakeBackend } from '../../../server/backend/fake-backend';
import { CheckRunner } from '../../../server/checks/check-runner';
import { loadConfig, type BerthConfig } from '../../../server/config';
import { EventBus } from '../../../server/events';
import { LabCatalog } from '../../../server/labs/catalog';
import { ProgressService } from '../../../server/sessions/progress-service';
import { ScriptRunner } from '../../../server/sessions/script-runner';
import { SessionManager, stateOf } from '../../../server/sessions/session-manager';
import { StepSetup } from '../../../server/sessions/step-setup';
import { Store } from '../../../server/store/database';
import { TerminalManager } from '../../../server/terminal/terminal-manager';
import type { TerminalViewer } from '../../../server/terminal/terminal';

export const FIXTURE_LABS = path.join(__dirname, '..', '..', 'fixtures', 'runtime-labs');

export interface World {
  config: BerthConfig;
  store: Store;
  catalog: LabCatalog;
  backend: FakeBackend;
  bus: EventBus;
  stepSetup: StepSetup;
  sessions: SessionManager;
  progress: ProgressService;
  terminals: TerminalManager;
  /** The same store and engine with every in-memory part built anew: Berth restarted. */
  restart(): World;
  close(): Promise<void>;
}

export function world(opts: { backend?: FakeBackend; env?: Record<string, string>; store?: Store } = {}): World {
  const config = loadConfig({ BERTH_LABS_DIR: FIXTURE_LABS, BERTH_DATA_DIR: '/nonexistent', BERTH_CHECK_INTERVAL: '0', ...opts.env });
  const store = opts.store ?? new Store(':memory:');
  const catalog = new LabCatalog(FIXTURE_LABS);
  const backend = opts.backend ?? new FakeBackend();
  const bus = new EventBus();
  const terminals = new TerminalManager(backend, config);
  const stepSetup = new StepSetup(store.db, new ScriptRunner(backend, config.checks.outputCapBytes), (s, m, t) => terminals.typeInto(s, m, t));
  const sessions = new SessionManager(config, store, backend, catalog, bus, stepSetup);
  const checks = new CheckRunner(backend, config.checks.concurrency, config.checks.outputCapBytes, config.checks.timeoutSeconds);
  const progress = new ProgressService(config, store, catalog, sessions, checks, bus, stepSetup);
  bus.on('ended', ({ sessionId }) => void terminals.closeSession(sessionId));
  bus.on('machinesDown', ({ sessionId }) => void terminals.closeSession(sessionId));
  const w: World = {
    config,
    store,
    catalog,
    backend,
    bus,
    stepSetup,
    sessions,
    progress,
    terminals,
    restart() {
      void sessions.close();
      catalog.close();
      return world({ backend, env: opts.env, store });
    },
    async close() {
      await terminals.closeAll();
      await sessions.close();
      await backend.shutdown();
      catalog.close();
    },
  };
  return w;
}

let students = 0;
export function student(w: World, name = 'Ada'): string {
  const id = `student-${++students}`;
  w.store.addStudent(id, name);
  return id;
}

/** Starts a lab and waits until the manager has finished with it (running, failed…). */
export async function started(w: World, studentId: string, labId: string): Promise<string> {
  const { session } = await w.sessions.start(studentId, labId);
  await w.sessions.settled(session.id);
  return session.id;
}

/** What a student's page does when the lab is running: attach the machine's main terminal. */
export async function openTerminal(w: World, sessionId: string, machine: string): Promise<{ output: () => string }> {
  const row = w.sessions.get(sessionId)!;
  let out = '';
  const viewer: TerminalViewer = {
    id: `viewer-${sessionId}`,
    owner: true,
    send: (_seq, data) => (out += Buffer.from(data).toString()),
    reset: () => undefined,
    exit: () => undefined,
    transportBacklog: () => 0,
  };
  await w.terminals.attach(sessionId, stateOf(row)!, machine, machine, viewer, 0, { cols: 80, rows: 24 });
  w.progress.terminalOpened(sessionId, machine);
  return { output: () => out };
}

/** Lets queued microtasks and immediate callbacks run (the fake shell answers asynchronously). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
