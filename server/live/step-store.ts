import type Database from 'better-sqlite3';

/** One student's history on one step of one lab (table `step_events`). */
export interface StepRecord {
  studentId: string;
  labId: string;
  step: number;
  /** The first time ever; a reset does not move it. */
  reachedAt: number;
  /** When reached since the lab's last reset; null: not reached in this run. */
  runReachedAt: number | null;
  firstPassedAt: number | null;
  /** The student's failed tries before the first pass (all of them while never passed); see StepStore.checkRun. */
  failedRuns: number;
  /** The latest result of a try the student made, in this run of the lab. */
  lastStatus: 'passed' | 'failed' | null;
  /** Feedback of the latest failed try: the check's last `FAIL:` line. */
  lastFail: string | null;
  /** The latest check the student set off (background re-runs do not count). */
  lastCheckAt: number | null;
  /** Time the student was active on the step before passing it (active-time.ts). */
  activeMs: number;
  markedBy: string | null;
  markedByName: string | null;
  markedReason: string | null;
  markedAt: number | null;
  /** The most hints ever open on the step; progress forgets them on a reset, the results do not. */
  hintsSeen: number;
  /** The latest answer to each of the step's questions, kept through resets like hintsSeen. */
  quizAnswers: Record<string, KeptAnswer>;
}

export interface KeptAnswer {
  choices: number[];
  correct: boolean;
}

interface StepEventRecord {
  student_id: string;
  lab_id: string;
  step: number;
  reached_at: number;
  run_reached_at: number | null;
  first_passed_at: number | null;
  failed_runs: number;
  last_status: 'passed' | 'failed' | null;
  last_fail: string | null;
  last_check_at: number | null;
  marked_by: string | null;
  marked_by_name: string | null;
  marked_reason: string | null;
  marked_at: number | null;
  active_ms: number;
  hints_seen: number;
  quiz_answers: string | null;
}

/** A failed try at a step's check the student made, for the analytics' top failures. */
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
    runReachedAt: r.run_reached_at,
    firstPassedAt: r.first_passed_at,
    failedRuns: r.failed_runs,
    lastStatus: r.last_status,
    lastFail: r.last_fail,
    lastCheckAt: r.last_check_at,
    markedBy: r.marked_by,
    markedByName: r.marked_by_name,
    markedReason: r.marked_reason,
    markedAt: r.marked_at,
    activeMs: r.active_ms,
    hintsSeen: r.hints_seen,
    quizAnswers: r.quiz_answers ? (JSON.parse(r.quiz_answers) as Record<string, KeptAnswer>) : {},
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
      .prepare(
        `INSERT INTO step_events (student_id, lab_id, step, reached_at, run_reached_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT DO UPDATE SET run_reached_at = COALESCE(run_reached_at, excluded.run_reached_at)`,
      )
      .run(studentId, labId, step, at, at);
  }

  /** A step became complete; a step the instructor marked stays marked, not passed. */
  passed(studentId: string, labId: string, step: number, at: number): void {
    this.reached(studentId, labId, step, at);
    this.db
      .prepare('UPDATE step_events SET first_passed_at = ? WHERE student_id = ? AND lab_id = ? AND step = ? AND first_passed_at IS NULL AND marked_at IS NULL')
      .run(at, studentId, labId, step);
  }

  /**
   * A check of the step ran. Only a run the student set off (`byStudent`:
   * Enter in a terminal, the Check button) is a try: a background re-run says
   * nothing about them. A failed try counts unless it repeats the last
   * counted one word for word with no input from the student since
   * (`lastInputAt`): pressing Check twice on the same mistake is one attempt.
   * Returns whether the run counted as an attempt.
   */
  checkRun(
    studentId: string,
    labId: string,
    step: number,
    run: { status: 'passed' | 'failed'; feedback: string | null; byStudent: boolean; lastInputAt: number | null },
    at: number,
  ): boolean {
    if (!run.byStudent) {
      // A background pass still completes the step (through progress); its status may show. Nothing else is the student's doing.
      if (run.status === 'passed') this.db.prepare(`UPDATE step_events SET last_status = 'passed' WHERE student_id = ? AND lab_id = ? AND step = ?`).run(studentId, labId, step);
      return false;
    }
    this.reached(studentId, labId, step, at);
    if (run.status === 'passed') {
      this.db
        .prepare(`UPDATE step_events SET last_status = 'passed', last_check_at = ? WHERE student_id = ? AND lab_id = ? AND step = ?`)
        .run(at, studentId, labId, step);
      return false;
    }
    const last = this.db
      .prepare(`SELECT feedback, at FROM step_attempts WHERE student_id = ? AND lab_id = ? AND step = ? AND kind = 'check' ORDER BY rowid DESC LIMIT 1`)
      .get(studentId, labId, step) as { feedback: string | null; at: number } | undefined;
    const counts = !last || last.feedback !== run.feedback || (run.lastInputAt !== null && run.lastInputAt > last.at);
    this.db
      .prepare(`UPDATE step_events SET last_status = 'failed', last_fail = ?, last_check_at = ? WHERE student_id = ? AND lab_id = ? AND step = ?`)
      .run(run.feedback, at, studentId, labId, step);
    if (counts) this.attempt(studentId, labId, step, 'check', run.feedback, at);
    return counts;
  }

  /** Hints open on the step now (from a progress save): the most ever is kept. */
  hintsOpen(studentId: string, labId: string, step: number, count: number): void {
    this.db.prepare('UPDATE step_events SET hints_seen = MAX(hints_seen, ?) WHERE student_id = ? AND lab_id = ? AND step = ?').run(count, studentId, labId, step);
  }

  /** The student answered one of the step's questions: the latest answer is kept. */
  answered(studentId: string, labId: string, step: number, quizId: string, answer: KeptAnswer, at: number): void {
    this.reached(studentId, labId, step, at);
    this.db
      .prepare(`UPDATE step_events SET quiz_answers = json_set(COALESCE(quiz_answers, '{}'), '$.' || json_quote(?), json(?)) WHERE student_id = ? AND lab_id = ? AND step = ?`)
      .run(quizId, JSON.stringify(answer), studentId, labId, step);
  }

  /** A wrong answer to one of the step's questions: a failed try like a failed check. */
  wrongAnswer(studentId: string, labId: string, step: number, quizId: string, at: number): void {
    this.reached(studentId, labId, step, at);
    const line = `Wrong answer to question ${quizId}`;
    this.db
      .prepare(`UPDATE step_events SET last_status = 'failed', last_fail = ? WHERE student_id = ? AND lab_id = ? AND step = ?`)
      .run(line, studentId, labId, step);
    this.attempt(studentId, labId, step, 'quiz', line, at);
  }

  private attempt(studentId: string, labId: string, step: number, kind: 'check' | 'quiz', feedback: string | null, at: number): void {
    this.db.prepare('INSERT INTO step_attempts (student_id, lab_id, step, kind, feedback, at) VALUES (?, ?, ?, ?, ?, ?)').run(studentId, labId, step, kind, feedback, at);
    this.db
      .prepare(
        `UPDATE step_events SET failed_runs = failed_runs + 1
         WHERE student_id = ? AND lab_id = ? AND step = ? AND first_passed_at IS NULL AND marked_at IS NULL`,
      )
      .run(studentId, labId, step);
  }

  /** Active time on a step counts until it is passed or marked. */
  addActive(studentId: string, labId: string, step: number, ms: number): void {
    this.db
      .prepare('UPDATE step_events SET active_ms = active_ms + ? WHERE student_id = ? AND lab_id = ? AND step = ? AND first_passed_at IS NULL AND marked_at IS NULL')
      .run(Math.round(ms), studentId, labId, step);
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

  /**
   * The lab was reset: its live run starts over (no step reached in this run,
   * no latest result), while the results stay: first reached and passed
   * times, marks, attempts and active time.
   */
  restartLab(studentId: string, labId: string): void {
    this.db.prepare('UPDATE step_events SET run_reached_at = NULL, last_status = NULL, last_fail = NULL WHERE student_id = ? AND lab_id = ?').run(studentId, labId);
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

  /** Failed checks these students set off and that counted as attempts (quiz answers are not checks). */
  failedRuns(studentIds: string[]): FailedRun[] {
    const out: FailedRun[] = [];
    for (let i = 0; i < studentIds.length; i += 500) {
      const chunk = studentIds.slice(i, i + 500);
      const rows = this.db
        .prepare(
          `SELECT student_id AS studentId, lab_id AS labId, step, feedback FROM step_attempts
           WHERE kind = 'check' AND student_id IN (${chunk.map(() => '?').join(',')}) ORDER BY rowid`,
        )
        .all(...chunk) as FailedRun[];
      out.push(...rows);
    }
    return out;
  }
}
