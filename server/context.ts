import crypto from 'node:crypto';
import path from 'node:path';
import type { IncomingMessage } from 'node:http';
import type { BerthConfig, IsolationProfile } from './config';
import { createBackend, type ChosenBackend } from './backend/factory';
import type { BackendState, LabBackend } from './backend/lab-backend';
import { createDiskWatchdog, type DiskWatchdog } from './sessions/disk-watchdog';
import { CheckRunner } from './checks/check-runner';
import { EventBus } from './events';
import { BerthMetrics } from './metrics';
import { COOKIE, CookieSigner, INSTRUCTOR_COOKIE, parseCookies } from './http/auth';
import { createClassroom, type Classroom } from './classroom/services';
import type { AuditTrail, InstructorIdentity, StudentIdentity } from './classroom';
import type { ClassService } from './classroom/classes';
import { HostAllowlist } from './http/host-allowlist';
import { ClassSessionPolicy } from './classroom/session-policy';
import { PrewarmScheduler } from './classroom/prewarm';
import { PortProxy, proxyKey } from './http/port-proxy';
import { Views } from './http/views';
import { LabCatalog } from './labs/catalog';
import { ProgressService } from './sessions/progress-service';
import { SessionManager, stateOf } from './sessions/session-manager';
import { SessionDoor } from './sessions/session-door';
import { ScriptRunner } from './sessions/script-runner';
import { StepSetup } from './sessions/step-setup';
import { Store, type SessionRow } from './store/database';
import { sessionLog } from './log';
import { TerminalManager } from './terminal/terminal-manager';
import { preopenMainTerminals } from './terminal/preopen';
import { LiveService } from './live/live-service';

/**
 * Everything a running Berth is made of, built in the order data flows:
 * labs → sessions → machines → terminals → checks → progress.
 */
export interface BerthContext {
  config: BerthConfig;
  profile: IsolationProfile;
  store: Store;
  catalog: LabCatalog;
  backend: LabBackend;
  bus: EventBus;
  sessions: SessionManager;
  /** The one way from a request to a student's session and machines (owner checked once, typed state). */
  sessionDoor: SessionDoor;
  terminals: TerminalManager;
  progress: ProgressService;
  views: Views;
  proxy: PortProxy;
  signer: CookieSigner;
  /** An admitted student (every student has a class; open practice is one). */
  studentOf(req: IncomingMessage): StudentIdentity | null;
  /** The instructor behind a live `berth_instructor` login session. */
  instructorOf(req: IncomingMessage): InstructorIdentity | null;
  classes: ClassService;
  audit: AuditTrail;
  /** Instructors, logins and joining (server/classroom/services.ts). */
  classroom: Classroom;
  /** The instructor's live view: step history, class rooms, notices, takeovers (server/live). */
  live: LiveService;
  /** Prometheus metrics and the admin summary (server/metrics.ts). */
  metrics: BerthMetrics;
  /** The names Berth answers to (DNS rebinding): checked before anything else. */
  hosts: HostAllowlist;
  /** Disk budget per machine, enforced by measuring (null: budget 0 or a backend that cannot measure). */
  disk: DiskWatchdog | null;
  close(): Promise<void>;
}

/** A row's machine state, or null when it has none or one no backend can read (logged; reconcile deals with it). */
function readableState(row: SessionRow): BackendState | null {
  try {
    return stateOf(row);
  } catch (err) {
    sessionLog(row.id).warn({ err: String(err) }, 'stored machine state unreadable');
    return null;
  }
}

/** `chosen`: a backend made by the caller (tests, benchmarks); by default server/backend/factory.ts picks it from the configuration. */
export async function createContext(config: BerthConfig, chosen?: ChosenBackend): Promise<BerthContext> {
  const store = new Store(path.join(config.dataDir, 'berth.sqlite'));
  let secret = config.secret || store.getSetting('cookie-secret');
  if (!secret) {
    secret = crypto.randomBytes(32).toString('base64url');
    store.setSetting('cookie-secret', secret);
  }
  const signer = new CookieSigner(secret);
  const catalog = new LabCatalog(config.labsDir);
  if (config.dev) catalog.watch();
  const { backend, profile } = await (chosen ?? createBackend(config));
  const bus = new EventBus();
  const terminals = new TerminalManager(backend, config);
  const stepSetup = new StepSetup(store.db, new ScriptRunner(backend, config.checks.outputCapBytes), (sessionId, machine, text) =>
    terminals.typeInto(sessionId, machine, text),
  );
  const sessions = new SessionManager(config, store, backend, catalog, bus, stepSetup);
  const checks = new CheckRunner(backend, config.checks.concurrency, config.checks.outputCapBytes, config.checks.timeoutSeconds);
  const progress = new ProgressService(config, store, catalog, sessions, checks, bus, stepSetup);
  const portKey = (sessionId: string) => proxyKey(secret, sessionId);
  const views = new Views(catalog, store, sessions, progress, portKey, config.proxyOrigin);

  const classroom = createClassroom(config, store, catalog, bus);
  sessions.policy = new ClassSessionPolicy(config, store.classroom, classroom.classes);
  const prewarm = new PrewarmScheduler(config, store, store.classroom, classroom.classes, catalog, backend);
  prewarm.followStarts(bus);
  classroom.prewarm = prewarm;
  classroom.classes.prewarmStatus = (classId) => prewarm.status(classId);
  const live = new LiveService({ store, catalog, bus, classes: classroom.classes, audit: classroom.audit, terminalIds: (id) => terminals.ids(id) });
  const studentOf = (req: IncomingMessage): StudentIdentity | null => {
    const id = signer.verify(parseCookies(req.headers.cookie)[COOKIE]);
    const row = id ? store.getStudent(id) : undefined;
    return row?.admitted ? { id: row.id, name: row.name, classId: row.classId } : null;
  };
  const instructorOf = (req: IncomingMessage) => classroom.instructors.identify(parseCookies(req.headers.cookie)[INSTRUCTOR_COOKIE]);
  const sessionDoor = new SessionDoor({
    sessions,
    backend,
    catalog,
    terminals,
    teaches: (instructor, studentId) => {
      const classId = live.classOf(studentId);
      return Boolean(classId && classroom.classes.canManage(instructor, classId));
    },
    takingOver: (instructorId, sessionId) => live.takeovers.forSession(sessionId).some((t) => t.instructorId === instructorId),
    keyFor: portKey,
  });
  const proxy = new PortProxy(sessionDoor, (req) => studentOf(req)?.id ?? null, {
    separateOrigin: Boolean(config.proxyOrigin),
    socketsPerStudent: config.proxySockets.perStudent,
    handshakeMs: config.proxySockets.handshakeSeconds * 1000,
  });

  // Wiring of domain events: no module below knows about the ones above it.
  terminals.onPromptReturn((sessionId) => void progress.autoCheck(sessionId, 'prompt'));
  terminals.onInput((sessionId) => sessions.touch(sessionId));
  terminals.onInput((sessionId) => live.typed(sessionId));
  bus.on('ended', ({ sessionId }) => void terminals.closeSession(sessionId));
  preopenMainTerminals(bus, terminals, store, catalog);
  bus.on('machinesDown', ({ sessionId }) => void terminals.closeSession(sessionId));
  const metrics = new BerthMetrics({
    bus,
    liveStates: () => store.liveSessions().map((s) => s.state),
    warmPoolSize: () => backend.poolStats?.().ready ?? 0,
    pingEngine: () => backend.ping(),
    watchEngine: backend.watchEngine?.bind(backend),
    classroom: () => {
      const classes = store.classroom.classRows();
      const archived = classes.filter((c) => c.archived).length;
      return {
        activeClasses: classes.length - archived,
        archivedClasses: archived,
        students: classes.reduce((n, c) => n + store.classroom.countStudents(c.id), 0),
        instructors: store.classroom.countInstructors(),
        takeovers: live.takeovers.activeCount(),
      };
    },
  });
  terminals.onBytes((sessionId, direction, bytes) => metrics.terminalTraffic(sessionId, direction, bytes));
  const disk = createDiskWatchdog({
    budgetBytesPerMachine: config.disk.budgetBytesPerMachine,
    intervalSeconds: config.disk.checkSeconds,
    measure: backend.diskUsage?.bind(backend),
    running: () =>
      store.liveSessions().flatMap((r) => {
        const state = r.state === 'running' ? readableState(r) : null;
        return state ? [{ id: r.id, studentId: r.studentId, state }] : [];
      }),
    pause: (sessionId, detail) => sessions.pause(sessionId, detail),
    warn: (event) => bus.emit('diskWarning', event),
  });

  return {
    config,
    profile,
    store,
    catalog,
    backend,
    bus,
    sessions,
    sessionDoor,
    terminals,
    progress,
    views,
    proxy,
    signer,
    studentOf,
    instructorOf,
    classes: classroom.classes,
    audit: classroom.audit,
    classroom,
    live,
    metrics,
    hosts: HostAllowlist.fromConfig(config),
    disk,
    async close() {
      disk?.stop();
      metrics.stop();
      progress.stop();
      prewarm.stop();
      await terminals.closeAll();
      await sessions.close();
      await backend.shutdown();
      proxy.close();
      catalog.close();
      live.close();
      store.close();
    },
  };
}
