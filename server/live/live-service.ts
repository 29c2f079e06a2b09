import type { AuditTrail, ClassDirectory } from '../classroom';
import type { ClassAnalyticsView, ClassGridView, NoticeView, ResultsView, StudentClassroomEvents } from '../contracts/classroom';
import type { EventBus } from '../events';
import type { LabCatalog } from '../labs/catalog';
import type { Store } from '../store/database';
import { buildAnalytics } from './analytics-builder';
import { FactGatherer } from './class-facts';
import { ClassFeed, type RoomEmitter } from './class-feed';
import { NoticeStore } from './notice-store';
import { buildResults } from './results-builder';
import { recordStepHistory, type StepRecorder } from './step-recorder';
import { StepStore } from './step-store';
import { TakeoverRegistry, type Takeover } from './takeovers';

export const studentRoom = (studentId: string) => `student:${studentId}`;

export interface LiveDeps {
  store: Store;
  catalog: LabCatalog;
  bus: EventBus;
  classes: Pick<ClassDirectory, 'get' | 'students'>;
  audit: AuditTrail;
  /** Patch interval per class (ms). */
  intervalMs?: number;
  /** Terminal ids open in a session (the terminal manager's), for watching extra terminals. */
  terminalIds?: (sessionId: string) => string[];
}

type StudentEvent = keyof StudentClassroomEvents;

/**
 * The instructor's live view, server side: step history, the class rooms,
 * notices and takeovers. Built with the context; sockets reach it once the
 * realtime layer binds its emitter.
 */
export class LiveService {
  readonly steps: StepStore;
  readonly notices: NoticeStore;
  readonly takeovers = new TakeoverRegistry();
  readonly gather: FactGatherer;
  readonly feed: ClassFeed;
  private readonly recorder: StepRecorder;
  private emitter: RoomEmitter | null = null;

  constructor(private readonly deps: LiveDeps) {
    this.steps = new StepStore(deps.store.db);
    this.notices = new NoticeStore(deps.store.db);
    this.gather = new FactGatherer(
      deps.store,
      deps.catalog,
      this.steps,
      (id) => this.takeovers.forStudent(id).length > 0,
      (sessionId) => this.recorder.typedAt(sessionId),
      (sessionId) => deps.terminalIds?.(sessionId) ?? [],
    );
    this.feed = new ClassFeed(deps.classes, this.gather, deps.intervalMs ?? 250);
    const sessionOf = (id: string) => deps.store.getSession(id);
    // History first: the feed reads it when its patch goes out.
    this.recorder = recordStepHistory(deps.bus, sessionOf, deps.store, this.steps);
    deps.bus.on('progress', (e) => this.touch(e.studentId));
    deps.bus.on('status', (e) => this.touch(e.studentId));
    deps.bus.on('progressReset', (e) => this.touch(e.studentId));
    deps.bus.on('check', (e) => {
      const row = sessionOf(e.sessionId);
      if (row) this.touch(row.studentId);
    });
    // The shells are gone: nobody can be typing in them any more.
    const endAll = ({ sessionId }: { sessionId: string }) => {
      for (const t of this.takeovers.forSession(sessionId)) this.endTakeover(t.sessionId, t.terminalId, 'ended');
    };
    deps.bus.on('ended', endAll);
    deps.bus.on('machinesDown', endAll);
  }

  bind(emitter: RoomEmitter): void {
    this.emitter = emitter;
    this.feed.bind(emitter);
  }

  classOf(studentId: string): string | null {
    return this.deps.store.getStudent(studentId)?.classId ?? null;
  }

  /** The student's row changed: their class's watchers get a patch. */
  touch(studentId: string): void {
    const classId = this.classOf(studentId);
    if (classId) this.feed.touched(classId, studentId);
  }

  /**
   * The student typed in a terminal (the terminal manager's input hook, every
   * keystroke). Their row's last activity moves at most every
   * TYPING_EVERY_MS; a background check never moves it. The same patch lists
   * a terminal the student opened and typed in since.
   */
  typed(sessionId: string): void {
    if (!this.recorder.typed(sessionId)) return;
    const row = this.deps.store.getSession(sessionId);
    if (row) this.touch(row.studentId);
  }

  toStudent<E extends StudentEvent>(studentId: string, event: E, payload: Parameters<StudentClassroomEvents[E]>[0]): void {
    this.emitter?.to(studentRoom(studentId)).emit(event, payload);
  }

  grid(classId: string): ClassGridView | null {
    return this.feed.snapshot(classId);
  }

  results(classId: string, now = Date.now()): ResultsView | null {
    const cls = this.deps.classes.get(classId);
    if (!cls) return null;
    // Alphabetical, as a teacher reads a mark book; the id breaks ties between namesakes.
    const facts = this.gather.facts(this.deps.classes.students(classId)).sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
    return buildResults(classId, cls.name, facts, this.gather.labs(cls.labs), now);
  }

  analytics(classId: string): ClassAnalyticsView | null {
    const cls = this.deps.classes.get(classId);
    if (!cls) return null;
    const ids = this.deps.classes.students(classId).map((s) => s.id);
    return buildAnalytics(this.gather.labs(cls.labs), this.steps.forStudents(ids), this.steps.failedRuns(ids));
  }

  /** Stores a notice and shows it now to whoever of its students is connected. */
  notify(classId: string, studentId: string | null, kind: NoticeView['kind'], from: string, text: string): NoticeView {
    const notice = this.notices.add({ classId, studentId, kind, from, text });
    const to = studentId ? [studentId] : this.deps.classes.students(classId).map((s) => s.id);
    for (const id of to) this.toStudent(id, 'notice', notice);
    return notice;
  }

  startTakeover(t: Takeover): { ok: true } | { ok: false; holder: Takeover } {
    const r = this.takeovers.start(t);
    if (!r.ok) return r;
    this.toStudent(t.studentId, 'takeover:state', bannerOf(t));
    this.deps.audit.record(t.instructorId, 'takeover.start', { classId: t.classId, target: t.studentId, detail: { sessionId: t.sessionId, terminalId: t.terminalId } });
    this.touch(t.studentId);
    return r;
  }

  /** Ends a takeover whoever asks; the student's banner goes and the audit log says why. */
  endTakeover(sessionId: string, terminalId: string, why: 'instructor' | 'student' | 'disconnect' | 'ended'): Takeover | undefined {
    const t = this.takeovers.end(sessionId, terminalId);
    if (!t) return undefined;
    this.toStudent(t.studentId, 'takeover:state', { sessionId, terminalId, active: false, instructor: t.instructorName });
    this.deps.audit.record(t.instructorId, 'takeover.end', {
      classId: t.classId,
      target: t.studentId,
      detail: { sessionId, terminalId, endedBy: why, seconds: Math.round((Date.now() - t.since) / 1000) },
    });
    this.touch(t.studentId);
    return t;
  }

  /**
   * A student's page (re)connected: it must show any banner still due. Their
   * row is redrawn too: joining a class announces nothing else, and the grid
   * should show a new student as soon as their page is open.
   */
  greet(studentId: string): void {
    this.touch(studentId);
    for (const t of this.takeovers.forStudent(studentId)) this.toStudent(studentId, 'takeover:state', bannerOf(t));
  }

  /**
   * A page started watching this session: it shows the banner of a takeover in
   * progress. Its socket may have been greeted earlier, on the catalog or on
   * another lab; the student's other tabs get the same state again, unchanged.
   */
  showBanners(sessionId: string): void {
    for (const t of this.takeovers.forSession(sessionId)) this.toStudent(t.studentId, 'takeover:state', bannerOf(t));
  }

  close(): void {
    this.feed.close();
  }
}

/** What a student's page is told while an instructor types in one of their terminals. */
function bannerOf(t: Takeover): Parameters<StudentClassroomEvents['takeover:state']>[0] {
  return { sessionId: t.sessionId, terminalId: t.terminalId, active: true, instructor: t.instructorName };
}
