import type { Migration } from '../migrate';

/**
 * The schema of the first release (0.1). `IF NOT EXISTS` everywhere: a
 * database made by that release has these tables already but user_version 0,
 * and must upgrade in place.
 */
export const initial: Migration = {
  version: 1,
  name: 'initial',
  up(db) {
    db.exec(`
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS students (id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY,
  student_id TEXT NOT NULL REFERENCES students(id),
  lab_id TEXT NOT NULL,
  state TEXT NOT NULL,
  backend_state TEXT,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  last_activity_at INTEGER NOT NULL,
  extensions INTEGER NOT NULL DEFAULT 0,
  error TEXT,
  ended_at INTEGER
);
CREATE INDEX IF NOT EXISTS sessions_student ON sessions(student_id, state);
CREATE TABLE IF NOT EXISTS progress (
  student_id TEXT NOT NULL,
  lab_id TEXT NOT NULL,
  current_step INTEGER NOT NULL DEFAULT 0,
  completed TEXT NOT NULL DEFAULT '[]',
  hints TEXT NOT NULL DEFAULT '{}',
  solutions TEXT NOT NULL DEFAULT '[]',
  quiz TEXT NOT NULL DEFAULT '{}',
  started_at INTEGER NOT NULL,
  finished_at INTEGER,
  PRIMARY KEY (student_id, lab_id)
);
CREATE TABLE IF NOT EXISTS check_runs (
  session_id TEXT NOT NULL,
  step INTEGER NOT NULL,
  status TEXT NOT NULL,
  feedback TEXT,
  duration_ms INTEGER,
  trigger TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS check_runs_session ON check_runs(session_id, step)`);
  },
};
