import type { Migration } from '../migrate';

/** Reserved for the classroom tables (filled in by the work that adds them). */
export const classroom: Migration = {
  version: 2,
  name: 'classroom',
  up() {
    /* nothing yet */
  },
};
