import type { Migration } from '../migrate';

/** Reserved for the results tables (filled in by the work that adds them). */
export const results: Migration = {
  version: 3,
  name: 'results',
  up() {
    /* nothing yet */
  },
};
