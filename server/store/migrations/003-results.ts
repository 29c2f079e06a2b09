import type { Migration } from '../migrate';

/**
 * What the instructor's live view and the results need beyond `progress`:
 * when each step was reached and first passed, how many checks failed before
 * that, and instructor marks (kept apart from passes: a mark is not a pass).
 * Notices are messages and broadcasts a student keeps until dismissed.
 * Rows outlive sessions; a student's reset of a lab removes that lab's rows
 * along with its progress.
 */
export const results: Migration = {
  version: 3,
  name: 'results',
  up(db) {
    db.exec(`
CREATE TABLE step_events (
  student_id TEXT NOT NULL,
  lab_id TEXT NOT NULL,
  step INTEGER NOT NULL,
  reached_at INTEGER NOT NULL,
  first_passed_at INTEGER,
  failed_runs INTEGER NOT NULL DEFAULT 0,
  last_status TEXT,
  last_fail TEXT,
  last_check_at INTEGER,
  marked_by TEXT,
  marked_by_name TEXT,
  marked_reason TEXT,
  marked_at INTEGER,
  PRIMARY KEY (student_id, lab_id, step)
);
CREATE TABLE notices (
  id TEXT PRIMARY KEY,
  class_id TEXT,
  student_id TEXT,
  kind TEXT NOT NULL,
  from_name TEXT NOT NULL,
  text TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX notices_class ON notices(class_id, at);
CREATE INDEX notices_student ON notices(student_id, at);
CREATE TABLE notice_dismissals (
  notice_id TEXT NOT NULL REFERENCES notices(id) ON DELETE CASCADE,
  student_id TEXT NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (notice_id, student_id)
)`);
  },
};
