import type { Migration } from '../migrate';

/** The built-in class that holds open-practice students and everyone from a 0.1 database. */
export const OPEN_PRACTICE_CLASS_ID = 'open-practice';

/**
 * Instructors, their login sessions, classes with join codes, and the audit
 * log. Students gain a class and an `admitted` flag; every student a 0.1
 * database knew (and their progress, which is keyed by student) moves into the
 * built-in "Open practice" class, so an upgrade loses nobody's work.
 */
export const classroom: Migration = {
  version: 2,
  name: 'classroom',
  up(db) {
    db.exec(`
CREATE TABLE instructors (
  id TEXT PRIMARY KEY,
  login TEXT NOT NULL UNIQUE COLLATE NOCASE,
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('owner', 'instructor')),
  password_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
-- Only a hash of the cookie token is kept: a copy of the database logs nobody in.
CREATE TABLE instructor_logins (
  id TEXT PRIMARY KEY,
  instructor_id TEXT NOT NULL REFERENCES instructors(id) ON DELETE CASCADE,
  token_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  user_agent TEXT NOT NULL DEFAULT '',
  address TEXT NOT NULL DEFAULT '',
  revoked_at INTEGER
);
CREATE INDEX instructor_logins_instructor ON instructor_logins(instructor_id, revoked_at);
CREATE TABLE classes (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  labs TEXT NOT NULL DEFAULT '[]',
  seats INTEGER NOT NULL,
  starts_at INTEGER,
  ends_at INTEGER,
  max_running INTEGER,
  session_minutes INTEGER,
  idle_minutes INTEGER,
  allow_rejoin_by_name INTEGER NOT NULL DEFAULT 0,
  archived INTEGER NOT NULL DEFAULT 0,
  open_practice INTEGER NOT NULL DEFAULT 0,
  join_code TEXT UNIQUE,
  code_enabled INTEGER NOT NULL DEFAULT 1,
  code_expires_at INTEGER,
  created_at INTEGER NOT NULL,
  created_by TEXT REFERENCES instructors(id) ON DELETE SET NULL
);
CREATE TABLE class_instructors (
  class_id TEXT NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
  instructor_id TEXT NOT NULL REFERENCES instructors(id) ON DELETE CASCADE,
  PRIMARY KEY (class_id, instructor_id)
);
CREATE TABLE one_time_codes (
  code TEXT PRIMARY KEY,
  class_id TEXT NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  used_at INTEGER,
  used_by TEXT
);
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  instructor_id TEXT,
  action TEXT NOT NULL,
  class_id TEXT,
  target TEXT,
  detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_class ON audit_log(class_id, id);
ALTER TABLE students ADD COLUMN class_id TEXT REFERENCES classes(id);
ALTER TABLE students ADD COLUMN admitted INTEGER NOT NULL DEFAULT 1;
-- Set by a re-admit: the next join with the class code and this name resumes this student, once.
ALTER TABLE students ADD COLUMN rejoin_once INTEGER NOT NULL DEFAULT 0;
-- Open practice keeps 0.1's behaviour (names may repeat); real classes need unique names.
CREATE UNIQUE INDEX students_class_name ON students(class_id, lower(name)) WHERE class_id <> '${OPEN_PRACTICE_CLASS_ID}';
CREATE INDEX students_class ON students(class_id)`);
    // Seats in open practice are bounded by the host (BERTH_MAX_SESSIONS), not by the class.
    db.prepare(
      `INSERT INTO classes (id, name, labs, seats, open_practice, join_code, code_enabled, created_at) VALUES (?, 'Open practice', '[]', 0, 1, NULL, 0, ?)`,
    ).run(OPEN_PRACTICE_CLASS_ID, Date.now());
    db.prepare('UPDATE students SET class_id = ? WHERE class_id IS NULL').run(OPEN_PRACTICE_CLASS_ID);
  },
};
