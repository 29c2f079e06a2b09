import type Database from 'better-sqlite3';

/** One student's history on one step of one lab (table `step_events`). */
export interface StepRecord {
  studentId: string;
  labId: string;
  step: number;
  reachedAt: number;
  firstPassedAt: number | null;
  /** Check runs that failed before the first pass (all of them while never passed). */
  failedRuns: number;
  lastStatus: 'passed' | 'failed' | null;
  /** Feedback of the latest failed run: the check's last `FAIL:` line. */
  lastFail: string | null;
  lastCheckAt: number | null;
  markedBy: string | null;
  markedByName: string | null;
  markedReason: string | null;
  markedAt: number | null;
}

interface StepEventRecord {
  student_id: string;
  lab_id: string;
  step: number;
  reached_at: number;
  first_passed_at: number | null;
  failed_runs: number;
  last_status: 'passed' | 'failed' | null;
  last_fail: string | null;
  last_check_at: number | null;
  marked_by: string | null;
  marked_by_name: string | null;
  marked_reason: string | null;
  marked_at: number | null;
}

/** A failed check run as stored by the progress service, for the analytics' top failures. */
export interface FailedRun {
  studentId: string;
  labId: string;
  step: number;
  feedback: string | null;
}

function fromRecord(r: StepEventRecord): StepRecord {
  return {
    studentId: r.student_id,
    labId: r.lab_id,
    step: r.step,
    reachedAt: r.reached_at,
    firstPassedAt: r.first_passed_at,
    failedRuns: r.failed_runs,
    lastStatus: r.last_status,
    lastFail: r.last_fail,
    lastCheckAt: r.last_check_at,
    markedBy: r.marked_by,
    markedByName: r.marked_by_name,
    markedReason: r.marked_reason,
    markedAt: r.marked_at,
  };
}

/**
 * Reads and writes step history. Every write is idempotent where the event
 * that causes it may repeat (a progress event is sent for every save), so the
 * first time wins: reached_at and first_passed_at never move once set.
 */
export class StepStore {
  constructor(private readonly db: Database.Database) {}

  reached(studentId: string, labId: string, step: number, at: number): void {
    this.db
      .prepare('INSERT INTO step_events (student_id, lab_id, step, reached_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING')
      .run(studentId, labId, step, at);
  }

  /** A step became complete; a step the instructor marked stays marked, not passed. */
  passed(studentId: string, labId: string, step: number, at: number): void {
    this.reached(studentId, labId, step, at);
    this.db
      .prepare('UPDATE step_events SET first_passed_at = ? WHERE student_id = ? AND lab_id = ? AND step = ? AND first_passed_at IS NULL AND marked_at IS NULL')
      .run(at, studentId, labId, step);
  }

  checkRun(studentId: string, labId: string, step: number, status: 'passed' | 'failed', feedback: string | null, at: number): void {
    this.reached(studentId, labId, step, at);
    if (status === 'failed') {
      this.db
        .prepare(
          `UPDATE step_events SET last_status = 'failed', last_fail = ?, last_check_at = ?,
             failed_runs = failed_runs + (CASE WHEN first_passed_at IS NULL AND marked_at IS NULL THEN 1 ELSE 0 END)
           WHERE student_id = ? AND lab_id = ? AND step = ?`,
        )
        .run(feedback, at, studentId, labId, step);
    } else {
      this.db
        .prepare(`UPDATE step_events SET last_status = 'passed', last_check_at = ? WHERE student_id = ? AND lab_id = ? AND step = ?`)
        .run(at, studentId, labId, step);
    }
  }

  mark(studentId: string, labId: string, step: number, by: { id: string; name: string }, reason: string, at: number): void {
    this.reached(studentId, labId, step, at);
    this.db
      .prepare(
        `UPDATE step_events SET marked_by = ?, marked_by_name = ?, marked_reason = ?, marked_at = ?
         WHERE student_id = ? AND lab_id = ? AND step = ? AND first_passed_at IS NULL`,
      )
      .run(by.id, by.name, reason, at, studentId, labId, step);
  }

  get(studentId: string, labId: string, step: number): StepRecord | undefined {
    const r = this.db.prepare('SELECT * FROM step_events WHERE student_id = ? AND lab_id = ? AND step = ?').get(studentId, labId, step) as
      | StepEventRecord
      | undefined;
    return r ? fromRecord(r) : undefined;
  }

  /** The history of a reset lab goes with its progress. */
  clearLab(studentId: string, labId: string): void {
    this.db.prepare('DELETE FROM step_events WHERE student_id = ? AND lab_id = ?').run(studentId, labId);
  }

  forStudents(studentIds: string[]): StepRecord[] {
    if (studentIds.length === 0) return [];
    const out: StepRecord[] = [];
    // SQLite caps bound parameters; classes are small, but a chunk keeps any size safe.
    for (let i = 0; i < studentIds.length; i += 500) {
      const chunk = studentIds.slice(i, i + 500);
      const rows = this.db
        .prepare(`SELECT * FROM step_events WHERE student_id IN (${chunk.map(() => '?').join(',')}) ORDER BY student_id, lab_id, step`)
        .all(...chunk) as StepEventRecord[];
      out.push(...rows.map(fromRecord));
    }
    return out;
  }

  /** Failed runs of these students' checks (from check_runs, which the progress service writes). */
  failedRuns(studentIds: string[]): FailedRun[] {
    const out: FailedRun[] = [];
    for (let i = 0; i < studentIds.length; i += 500) {
      const chunk = studentIds.slice(i, i + 500);
      const rows = this.db
        .prepare(
          `SELECT s.student_id AS studentId, s.lab_id AS labId, c.step AS step, c.feedback AS feedback
           FROM check_runs c JOIN sessions s ON s.id = c.session_id
           WHERE c.status = 'failed' AND s.student_id IN (${chunk.map(() => '?').join(',')})`,
        )
        .all(...chunk) as FailedRun[];
      out.push(...rows);
    }
    return out;
  }
}
