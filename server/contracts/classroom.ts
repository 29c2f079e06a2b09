// Over ~350 lines on purpose: the whole classroom contract (REST and socket shapes) in one file the client bundles, so a
// change to any shape is one diff; it holds types, the route table and the socket events' schemas only, no logic.
import { z } from 'zod';
import { wireShapes, type Inbound } from './protocol';

/**
 * The classroom contract: instructors, classes, join codes, the live class
 * grid and results. Types, plus the zod schemas of the instructor socket's
 * inbound events, whose payload types are derived from them (the client
 * imports types only, so zod stays out of its bundle). REST payloads are
 * validated with zod schemas kept beside their handlers. Version bumps when a
 * shape changes incompatibly.
 *
 * REST (JSON; errors are `{ error: string, code: ErrorCode }`):
 *
 *   Setup and instructor login (cookie `berth_instructor`, HttpOnly, SameSite=Lax, Secure over HTTPS)
 *     GET    /api/setup                              → SetupStatus
 *     POST   /api/setup            SetupRequest      → { instructor: InstructorView }    (one-time token from the log)
 *     POST   /api/instructor/login LoginRequest      → { instructor: InstructorView }
 *     POST   /api/instructor/logout                  → { ok: true }
 *     POST   /api/instructor/logout-all              → { ok: true }          (every login session of this instructor)
 *     GET    /api/instructor/me                      → { instructor: InstructorView }
 *     GET    /api/instructor/logins                  → { logins: LoginSessionView[] }
 *     DELETE /api/instructor/logins/:id              → { ok: true }
 *     GET    /api/instructor/instructors             → { instructors: InstructorView[] }
 *     POST   /api/instructor/instructors  NewInstructorRequest → { instructor: InstructorView }   (owner only)
 *     GET    /api/instructor/audit?classId=&limit=   → { entries: AuditEntryView[] }
 *     GET    /api/instructor/catalog                 → CatalogForInstructors
 *     GET    /api/instructor/metrics-summary         → the admin page's numbers (server/ops/metrics-routes.ts)
 *
 *   Classes
 *     GET    /api/instructor/classes                 → { classes: ClassSummaryView[] }
 *     POST   /api/instructor/classes  ClassInput     → { class: ClassView }
 *     GET    /api/instructor/classes/:id             → { class: ClassView }
 *     PATCH  /api/instructor/classes/:id  ClassPatchRequest → { class: ClassView, endedLabs? }   (archiving ends the class's open labs)
 *     POST   /api/instructor/classes/:id/code  CodeAction → { class: ClassView }
 *     POST   /api/instructor/classes/:id/one-time-codes { count } → { codes: string[] }
 *     GET    /api/instructor/classes/:id/roster      → { roster: RosterEntryView[] }
 *     POST   /api/instructor/classes/:id/students/:studentId/readmit → { ok: true }
 *     GET    /api/instructor/classes/:id/qr.svg      → image/svg+xml (the join URL with the code)
 *
 *   The live view and results (the instructor's view)
 *     GET    /api/instructor/classes/:id/grid        → ClassGridView
 *     POST   /api/instructor/classes/:id/actions  StudentActionRequest → StudentActionReply
 *     POST   /api/instructor/classes/:id/broadcast { text } → { notice: NoticeView }
 *     POST   /api/instructor/classes/:id/students/:studentId/message { text } → { notice: NoticeView }
 *     GET    /api/instructor/classes/:id/results.json → ResultsView
 *     GET    /api/instructor/classes/:id/results.csv  → text/csv, one row per student × lab × step (columns: RESULT_STEP_COLUMNS)
 *     GET    /api/instructor/classes/:id/results-labs.csv → text/csv, one row per student × lab (columns: RESULT_LAB_COLUMNS)
 *     GET    /api/instructor/classes/:id/analytics    → ClassAnalyticsView
 *
 *   Students
 *     GET    /api/join                               → JoinInfo
 *     POST   /api/join   JoinRequest                 → { student: StudentView }   (cookie `berth_student`)
 *     GET    /api/notices                            → { notices: NoticeView[] }   (undismissed, for the lab page on load)
 *     POST   /api/notices/:id/dismiss                → { ok: true }
 *
 * Socket.io (same server, same path): the handshake accepts a student cookie
 * or an instructor cookie; `socket.data.role` says which. Student events are
 * in protocol.ts; instructor sockets may use only the events below (and
 * students may not use them: refused with code `forbidden`).
 */

export const CLASSROOM_CONTRACT_VERSION = 1;

/** Error codes on both channels; one mapper turns them into HTTP statuses. */
export type ErrorCode =
  | 'invalid' // 400
  | 'unauthenticated' // 401
  | 'forbidden' // 403
  | 'not_found' // 404
  | 'conflict' // 409
  | 'misdirected' // 421: Host not allowed
  | 'rate_limited' // 429
  | 'unavailable' // 503
  | 'internal'; // 500

export type InstructorRole = 'owner' | 'instructor';

export interface InstructorView {
  id: string;
  login: string;
  name: string;
  role: InstructorRole;
  createdAt: number;
}

export interface SetupStatus {
  /** True while no instructor exists: the setup page asks for the token printed in the log. */
  needsSetup: boolean;
}

export interface SetupRequest {
  token: string;
  name: string;
  login: string;
  password: string;
}

export interface LoginRequest {
  login: string;
  password: string;
}

export interface NewInstructorRequest {
  name: string;
  login: string;
  password: string;
  role: InstructorRole;
  /** Classes the new instructor teaches (owners see all anyway). */
  classIds?: string[];
}

export interface LoginSessionView {
  id: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  userAgent: string;
  address: string;
  current: boolean;
}

export interface AuditEntryView {
  id: number;
  at: number;
  instructorId: string | null;
  instructorName: string | null;
  action: string;
  classId: string | null;
  target: string | null;
  detail: Record<string, unknown>;
}

export interface CatalogForInstructors {
  labs: Array<{ id: string; title: string; summary: string; minutes: number; stepCount: number; section: string | null }>;
  sections: Array<{ title: string; labs: string[] }>;
}

export interface ClassLimits {
  /** Labs running at once for this class (null: the global BERTH_MAX_SESSIONS). */
  maxRunning: number | null;
  sessionMinutes: number | null;
  idleMinutes: number | null;
}

export interface ClassInput {
  name: string;
  labs: string[];
  seats: number;
  /** Epoch ms; null: no schedule. */
  startsAt: number | null;
  endsAt: number | null;
  limits: ClassLimits;
  /** A student on a shared PC may come back by code + the same name. */
  allowRejoinByName: boolean;
}

/** A change to a class; `instructorIds` replaces who teaches it (owners see every class anyway). */
export type ClassPatchRequest = Partial<Omit<ClassInput, 'limits'>> & { limits?: Partial<ClassLimits>; archived?: boolean; instructorIds?: string[] };

export interface JoinCodeView {
  code: string | null;
  enabled: boolean;
  expiresAt: number | null;
  /** The URL to show on the projector: `<public url>/#/join/<code>`. */
  joinUrl: string | null;
}

export type CodeAction =
  | { action: 'rotate' }
  | { action: 'disable' }
  | { action: 'enable' }
  | { action: 'expire'; expiresAt: number | null };

export interface ClassSummaryView {
  id: string;
  name: string;
  labCount: number;
  students: number;
  seats: number;
  running: number;
  startsAt: number | null;
  endsAt: number | null;
  archived: boolean;
  /** The built-in class that holds open-practice students (and those of a 0.1 database). */
  openPractice: boolean;
}

export interface ClassView extends ClassSummaryView, ClassInput {
  joinCode: JoinCodeView;
  instructors: Array<{ id: string; name: string }>;
  /** Scheduled pre-warm: machines ready for the first lab. */
  prewarm: { target: number; ready: number } | null;
  createdAt: number;
}

export type StudentSessionState = 'none' | 'queued' | 'starting' | 'running' | 'paused' | 'ended' | 'failed';

export interface RosterEntryView {
  studentId: string;
  name: string;
  joinedAt: number;
  /** Removed from the class by the instructor or locked out on a shared PC; re-admit lets them in again. */
  admitted: boolean;
  session: { id: string; labId: string; state: StudentSessionState } | null;
  lastActivityAt: number | null;
}

export interface JoinInfo {
  /** BERTH_OPEN_JOIN: a name alone is enough (no class). */
  openJoin: boolean;
}

export interface JoinRequest {
  /** Class code or one-time code; optional only in open practice mode. */
  code?: string;
  name: string;
}

/* ---- the live class grid ---- */

export type CellState = 'done' | 'marked' | 'current' | 'failing' | 'not_reached';

export interface GridCell {
  state: CellState;
  /** Last `FAIL:` line of the latest failing check (shown on hover). */
  lastFail?: string;
  attempts: number;
  hints: number;
  solutionViewed: boolean;
  /** When the student first reached / passed this step (epoch ms). */
  reachedAt?: number;
  passedAt?: number;
}

export interface GridRow {
  studentId: string;
  name: string;
  admitted: boolean;
  session: { id: string; labId: string; state: StudentSessionState; machines: string[]; terminals: string[] } | null;
  /** labId → step index → cell; only the class's labs. */
  cells: Record<string, GridCell[]>;
  current: { labId: string; step: number; since: number } | null;
  lastActivityAt: number | null;
  finishedLabs: string[];
  /** The instructor is typing in one of this student's terminals. */
  takeover: boolean;
}

export interface ClassGridView {
  classId: string;
  labs: Array<{ id: string; title: string; steps: Array<{ index: number; title: string; checked: boolean }> }>;
  rows: GridRow[];
  summary: ClassSummaryStats;
  at: number;
}

export interface ClassSummaryStats {
  students: number;
  started: number;
  finished: number;
  /** labId → step index → students currently on that step. */
  atStep: Record<string, number[]>;
  /** labId → step index → median active ms to pass (as time_on_step_s, server/live/active-time.ts), null if nobody passed yet. */
  medianStepMs: Record<string, Array<number | null>>;
}

/* ---- acting on students ---- */

export type StudentAction =
  | { action: 'reset' }
  | { action: 'extend' }
  | { action: 'pause' }
  | { action: 'resume' }
  | { action: 'end' }
  | { action: 'readmit' }
  | { action: 'reveal_hint' }
  | { action: 'mark_done'; labId: string; step: number; reason: string };

export type StudentActionRequest = StudentAction & { studentIds: string[] };

export interface StudentActionReply {
  results: Array<{ studentId: string; ok: boolean; error?: string }>;
}

export interface NoticeView {
  id: string;
  kind: 'message' | 'broadcast' | 'system';
  from: string;
  text: string;
  at: number;
}

/* ---- results ---- */

export const RESULT_STEP_COLUMNS = [
  'student',
  'student_id',
  'lab',
  'step',
  'step_title',
  'status', // passed | marked | current | failing | not_reached
  'first_passed_at', // ISO 8601 UTC, empty if never
  'attempts', // failed check runs before the first pass (or in total if never passed)
  'hints_revealed',
  'solution_viewed', // true | false
  'quiz_answers', // "quizId=choices:correct;…"
  'quiz_correct', // number of quizzes answered correctly in the step
  'time_on_step_s', // seconds from reaching to passing (or to now)
  'marked_by', // instructor name when marked done
  'marked_reason',
] as const;

export const RESULT_LAB_COLUMNS = [
  'student',
  'student_id',
  'lab',
  'percent_complete', // 0–100, integer
  'steps_done',
  'steps_total',
  'started_at',
  'finished_at',
  'active_time_s', // sum of time on steps
] as const;

export interface ResultsView {
  classId: string;
  className: string;
  generatedAt: number;
  steps: Array<Record<(typeof RESULT_STEP_COLUMNS)[number], string | number | boolean | null>>;
  labs: Array<Record<(typeof RESULT_LAB_COLUMNS)[number], string | number | null>>;
}

export interface ClassAnalyticsView {
  labs: Array<{
    id: string;
    title: string;
    steps: Array<{
      index: number;
      title: string;
      /** Active time to pass, ms (as time_on_step_s, server/live/active-time.ts): quartiles for a box plot. */
      timeMs: { min: number; q1: number; median: number; q3: number; max: number } | null;
      /** Students who reached this step (funnel). */
      reached: number;
      passed: number;
      failedRuns: number;
      topFails: Array<{ line: string; count: number }>;
    }>;
  }>;
}

/* ---- instructor socket events ---- */

const classId = z.string().regex(/^[A-Za-z0-9_-]{1,40}$/);
const { sessionId, terminalId, machine, cols, rows } = wireShapes;

/**
 * Every instructor socket event's payload schema: server/realtime/instructor-socket.ts
 * validates with these, and InstructorClientToServer's payload types are derived
 * from them, so the two cannot disagree.
 */
export const instructorInbound = {
  'class:watch': z.strictObject({ classId }),
  'class:unwatch': z.strictObject({ classId }),
  'terminal:watch': z.strictObject({
    sessionId,
    terminalId,
    machine,
    from: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    cols,
    rows,
  }),
  'terminal:unwatch': z.strictObject({ sessionId, terminalId }),
  'terminal:takeover': z.strictObject({ sessionId, terminalId, active: z.boolean() }),
  'terminal:input': z.strictObject({ sessionId, terminalId, data: z.string().min(1).max(64 * 1024) }),
  'terminal:ack': z.strictObject({ sessionId, terminalId, bytes: z.number().int().min(1).max(1 << 30) }),
} as const;

export type InstructorEvent = keyof typeof instructorInbound;
export type InstructorInbound<E extends InstructorEvent> = z.infer<(typeof instructorInbound)[E]>;

type InstructorReply = (r: { ok: boolean; error?: string; code?: ErrorCode }) => void;

export interface InstructorClientToServer {
  /** Join the class's live room: a `class:grid` snapshot follows, then `class:rows` patches. */
  'class:watch': (req: InstructorInbound<'class:watch'>, reply: InstructorReply) => void;
  'class:unwatch': (req: InstructorInbound<'class:unwatch'>) => void;
  /** Watch a student's terminal read-only (terminal:data etc. as for students, with owner false). */
  'terminal:watch': (req: InstructorInbound<'terminal:watch'>, reply: InstructorReply) => void;
  'terminal:unwatch': (req: InstructorInbound<'terminal:unwatch'>) => void;
  /** Start or end typing into the student's terminal; the student sees a banner meanwhile. */
  'terminal:takeover': (req: InstructorInbound<'terminal:takeover'>, reply: InstructorReply) => void;
  /** Input while taking over (same shape as the student's terminal:input). */
  'terminal:input': (req: InstructorInbound<'terminal:input'>) => void;
  'terminal:ack': (req: InstructorInbound<'terminal:ack'>) => void;
}

// Compile-time: every schema is an event of the interface, with the derived payload, and every event has a schema.
type DerivedEvents = { [E in InstructorEvent]: (req: InstructorInbound<E>, ...reply: never[]) => void };
const _derived: DerivedEvents = {} as InstructorClientToServer;
const _schemaForEach: Record<keyof InstructorClientToServer, z.ZodType> = instructorInbound;
void _derived;
void _schemaForEach;

/** Every instructor socket event, for the one role check (students get `forbidden` on those that are not also theirs). */
export const INSTRUCTOR_EVENTS = Object.keys(instructorInbound) as readonly InstructorEvent[];

export interface InstructorServerToClient {
  'class:grid': (grid: ClassGridView) => void;
  /** Batched row updates (at most a few per second per class). */
  'class:rows': (patch: { classId: string; rows: GridRow[]; summary: ClassSummaryStats; at: number }) => void;
}

/** Events the student's page receives in addition to protocol.ts. */
export interface StudentClassroomEvents {
  notice: (n: NoticeView) => void;
  /** The instructor started (active) or stopped typing in one of the student's terminals. */
  'takeover:state': (s: { sessionId: string; terminalId: string; active: boolean; instructor: string }) => void;
}

/** Student → server, classroom additions. */
export interface StudentClassroomRequests {
  /** The student ends a takeover. */
  'takeover:end': (req: Inbound<'takeover:end'>, reply: (r: { ok: boolean }) => void) => void;
}
