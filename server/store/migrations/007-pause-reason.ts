import type { Migration } from '../migrate';

/**
 * Why a lab was paused (idle, its disk budget, machines stopped outside
 * Berth), in the student's words: kept with the session so that a page opened
 * after a restart of Berth still says why, not only the pages open at the time.
 */
export const pauseReason: Migration = {
  version: 7,
  name: 'pause-reason',
  up(db) {
    db.exec(`ALTER TABLE sessions ADD COLUMN paused_because TEXT`);
  },
};
