import type { Migration } from '../migrate';

/**
 * Which setup blocks of which steps have run in a session's machines. Kept
 * per session (new machines need their setup again) and per block: a visible
 * block waits, `done_at` NULL, until the student's terminal on its machine
 * opens, even across a restart of Berth. Rows go when the session ends.
 */
export const stepSetup: Migration = {
  version: 4,
  name: 'step-setup',
  up(db) {
    db.exec(`
CREATE TABLE step_setup (
  session_id TEXT NOT NULL,
  step INTEGER NOT NULL,
  block INTEGER NOT NULL,
  done_at INTEGER,
  PRIMARY KEY (session_id, step, block)
)`);
  },
};
