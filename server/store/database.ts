import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { ProgressView, SessionState } from '../contracts/protocol';
import { migrate } from './migrate';
import { ClassroomStore } from './classroom-store';
import { cacheStatements } from './statement-cache';
import { OPEN_PRACTICE_CLASS_ID } from './migrations/002-classroom';

export interface SessionRow {
  id: string;
  studentId: string;
  labId: string;
  state: SessionState;
  backendState: Record<string, unknown> | null;
  createdAt: number;
  expiresAt: number;
  lastActivityAt: number;
  extensions: number;
  error: string | null;
  endedAt: number | null;
  /** While paused: why, in the student's words (absent on a new row). */
  pausedBecause?: string | null;
}

interface SessionRecord {
  id: string;
  student_id: string;
  lab_id: string;
  state: SessionState;
  backend_state: string | null;
  created_at: number;
  expires_at: number;
  last_activity_at: number;
  extensions: number;
  error: string | null;
  ended_at: number | null;
  paused_because: string | null;
}

interface ProgressRecord {
  student_id: string;
  lab_id: string;
  current_step: number;
  completed: string;
  hints: string;
  solutions: string;
  quiz: string;
  started_at: number;
  finished_at: number | null;
}


/** Berth's state in one SQLite file. Synchronous by design: every call is a few microseconds. */
export class Store {
  readonly db: Database.Database;
  /** Instructors, classes, codes, audit (migration 002). */
  readonly classroom: ClassroomStore;

  constructor(file: string) {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('foreign_keys = ON');
    migrate(this.db);
    cacheStatements(this.db);
    this.classroom = new ClassroomStore(this.db);
  }

  close(): void {
    this.db.close();
  }

  getSetting(key: string): string | undefined {
    const row = this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value;
  }

  setSetting(key: string, value: string): void {
    this.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  /* students */
  addStudent(id: string, name: string, classId: string = OPEN_PRACTICE_CLASS_ID): void {
    this.classroom.addStudent(id, name, classId, Date.now());
  }

  getStudent(id: string): { id: string; name: string; classId: string; admitted: boolean } | undefined {
    const row = this.classroom.student(id);
    return row ? { id: row.id, name: row.name, classId: row.classId, admitted: row.admitted } : undefined;
  }

  /* sessions */
  insertSession(row: SessionRow): void {
    this.db
      .prepare(
        `INSERT INTO sessions (id, student_id, lab_id, state, backend_state, created_at, expires_at, last_activity_at, extensions, error, ended_at, paused_because)
         VALUES (@id, @student_id, @lab_id, @state, @backend_state, @created_at, @expires_at, @last_activity_at, @extensions, @error, @ended_at, @paused_because)`,
      )
      .run(toRecord(row));
  }

  updateSession(id: string, patch: Partial<Omit<SessionRow, 'id'>>): void {
    const current = this.getSession(id);
    if (!current) return;
    const next = toRecord({ ...current, ...patch });
    this.db
      .prepare(
        `UPDATE sessions SET state=@state, backend_state=@backend_state, expires_at=@expires_at, last_activity_at=@last_activity_at,
         extensions=@extensions, error=@error, ended_at=@ended_at, paused_because=@paused_because WHERE id=@id`,
      )
      .run(next);
  }

  getSession(id: string): SessionRow | undefined {
    const rec = this.db.prepare('SELECT * FROM sessions WHERE id = ?').get(id) as SessionRecord | undefined;
    return rec ? fromRecord(rec) : undefined;
  }

  /** Sessions that still own machines (or will): everything not ended or failed. */
  liveSessions(): SessionRow[] {
    return (this.db.prepare(`SELECT * FROM sessions WHERE state NOT IN ('ended', 'failed') ORDER BY created_at`).all() as SessionRecord[]).map(fromRecord);
  }

  /** How many students of a class have a lab that still owns machines (or will). */
  countStudentsWithLiveSessions(classId: string): number {
    const row = this.db
      .prepare(`SELECT count(DISTINCT s.student_id) AS n FROM sessions s JOIN students st ON st.id = s.student_id WHERE st.class_id = ? AND s.state NOT IN ('ended', 'failed')`)
      .get(classId) as { n: number };
    return row.n;
  }

  studentSessions(studentId: string): SessionRow[] {
    return (
      this.db.prepare(`SELECT * FROM sessions WHERE student_id = ? AND state NOT IN ('ended', 'failed') ORDER BY created_at`).all(studentId) as SessionRecord[]
    ).map(fromRecord);
  }

  /* progress */
  getProgress(studentId: string, labId: string): ProgressView {
    const rec = this.db.prepare('SELECT * FROM progress WHERE student_id = ? AND lab_id = ?').get(studentId, labId) as ProgressRecord | undefined;
    if (!rec) {
      return { labId, currentStep: 0, completed: [], hintsRevealed: {}, solutionsRevealed: [], quizAnswers: {}, startedAt: Date.now(), finishedAt: null };
    }
    return {
      labId,
      currentStep: rec.current_step,
      completed: JSON.parse(rec.completed) as number[],
      hintsRevealed: JSON.parse(rec.hints) as Record<number, number>,
      solutionsRevealed: JSON.parse(rec.solutions) as number[],
      quizAnswers: JSON.parse(rec.quiz) as ProgressView['quizAnswers'],
      startedAt: rec.started_at,
      finishedAt: rec.finished_at,
    };
  }

  allProgress(studentId: string): ProgressView[] {
    const labs = this.db.prepare('SELECT lab_id FROM progress WHERE student_id = ?').all(studentId) as Array<{ lab_id: string }>;
    return labs.map((l) => this.getProgress(studentId, l.lab_id));
  }

  saveProgress(studentId: string, p: ProgressView): void {
    this.db
      .prepare(
        `INSERT INTO progress (student_id, lab_id, current_step, completed, hints, solutions, quiz, started_at, finished_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(student_id, lab_id) DO UPDATE SET current_step=excluded.current_step, completed=excluded.completed,
           hints=excluded.hints, solutions=excluded.solutions, quiz=excluded.quiz, finished_at=excluded.finished_at`,
      )
      .run(studentId, p.labId, p.currentStep, JSON.stringify(p.completed), JSON.stringify(p.hintsRevealed), JSON.stringify(p.solutionsRevealed), JSON.stringify(p.quizAnswers), p.startedAt, p.finishedAt);
  }

  /** Starts the lab over; which solutions were viewed is kept, so a reset cannot hide it. */
  resetProgress(studentId: string, labId: string): void {
    this.db
      .prepare(`UPDATE progress SET current_step = 0, completed = '[]', hints = '{}', quiz = '{}', started_at = ?, finished_at = NULL WHERE student_id = ? AND lab_id = ?`)
      .run(Date.now(), studentId, labId);
  }

  recordCheck(sessionId: string, step: number, status: string, feedback: string | undefined, durationMs: number, trigger: string): void {
    this.db
      .prepare('INSERT INTO check_runs (session_id, step, status, feedback, duration_ms, trigger, at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(sessionId, step, status, feedback === undefined ? null : feedback.slice(0, 1000), durationMs, trigger, Date.now());
    this.pruneCheckRuns(sessionId);
  }

  /** Checks run every few seconds for hours: a session keeps only its latest runs (counts live in step_events). */
  pruneCheckRuns(sessionId: string, keep = 200): void {
    this.db
      .prepare('DELETE FROM check_runs WHERE session_id = ? AND rowid NOT IN (SELECT rowid FROM check_runs WHERE session_id = ? ORDER BY rowid DESC LIMIT ?)')
      .run(sessionId, sessionId, keep);
  }
}

function toRecord(row: SessionRow): SessionRecord {
  return {
    id: row.id,
    student_id: row.studentId,
    lab_id: row.labId,
    state: row.state,
    backend_state: row.backendState ? JSON.stringify(row.backendState) : null,
    created_at: row.createdAt,
    expires_at: row.expiresAt,
    last_activity_at: row.lastActivityAt,
    extensions: row.extensions,
    error: row.error,
    ended_at: row.endedAt,
    paused_because: row.pausedBecause ?? null,
  };
}

function fromRecord(rec: SessionRecord): SessionRow {
  return {
    id: rec.id,
    studentId: rec.student_id,
    labId: rec.lab_id,
    state: rec.state,
    backendState: rec.backend_state ? (JSON.parse(rec.backend_state) as Record<string, unknown>) : null,
    createdAt: rec.created_at,
    expiresAt: rec.expires_at,
    lastActivityAt: rec.last_activity_at,
    extensions: rec.extensions,
    error: rec.error,
    endedAt: rec.ended_at,
    pausedBecause: rec.paused_because,
  };
}
