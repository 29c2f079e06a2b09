import type { Migration } from '../migrate';

/**
 * A reset restarts a lab's progress, which holds the hints opened and the
 * questions answered; the results keep them per step beside the step history:
 * `hints_seen` (the most hints ever open on the step) and `quiz_answers`
 * (JSON, question id → latest answer).
 */
export const keptAnswers: Migration = {
  version: 6,
  name: 'kept-answers',
  up(db) {
    db.exec(`
ALTER TABLE step_events ADD COLUMN hints_seen INTEGER NOT NULL DEFAULT 0;
ALTER TABLE step_events ADD COLUMN quiz_answers TEXT`);
  },
};
