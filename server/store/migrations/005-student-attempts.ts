import type { Migration } from '../migrate';

/**
 * Results that tell the student's own tries apart from Berth's background
 * checks, and that outlive a reset:
 * - `step_attempts`: every failed try the student made (a check they set off,
 *   a wrong quiz answer), kept through resets; "checks that fail most" reads it.
 *   Filled from the stored check runs the student triggered.
 * - `step_events.run_reached_at`: when the step was reached since the lab's
 *   last reset (NULL: not in this run); `reached_at` stays the first time ever.
 * - `step_events.active_ms`: time the student was active on the step before
 *   passing it (server/live/active-time.ts).
 */
export const studentAttempts: Migration = {
  version: 5,
  name: 'student-attempts',
  up(db) {
    db.exec(`
CREATE TABLE step_attempts (
  student_id TEXT NOT NULL,
  lab_id TEXT NOT NULL,
  step INTEGER NOT NULL,
  kind TEXT NOT NULL,
  feedback TEXT,
  at INTEGER NOT NULL
);
CREATE INDEX step_attempts_student ON step_attempts(student_id, lab_id, step);
INSERT INTO step_attempts (student_id, lab_id, step, kind, feedback, at)
  SELECT s.student_id, s.lab_id, c.step, 'check', c.feedback, c.at
  FROM check_runs c JOIN sessions s ON s.id = c.session_id
  WHERE c.status = 'failed' AND c.trigger IN ('button', 'prompt') AND c.duration_ms IS NOT NULL;
ALTER TABLE step_events ADD COLUMN run_reached_at INTEGER;
UPDATE step_events SET run_reached_at = reached_at;
ALTER TABLE step_events ADD COLUMN active_ms INTEGER NOT NULL DEFAULT 0`);
  },
};
