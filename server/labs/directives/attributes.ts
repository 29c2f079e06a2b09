import { nearest } from '../schema';
import type { Attribute } from './directive';

/** Attributes several directives share, so each reads and checks the same way everywhere. */

const MAX_TIMEOUT_SECONDS = 3600;

export const machine: Attribute = {
  name: 'machine',
  placeholder: 'NAME',
  meaning: 'The machine the block belongs to, by its name in `machines`. Default: the first machine.',
  check(value, { line, directive, machines, issues }) {
    if (machines.includes(value)) return;
    const guess = nearest(value, machines);
    issues.error(line, `unknown machine "${value}" in a ${directive} block`, {
      field: 'machine',
      hint: `${guess ? `did you mean machine=${guess}? ` : ''}the lab's machines are: ${machines.join(', ')} (add it under machines: in the front matter)`,
    });
  },
};

export const timeout: Attribute = {
  name: 'timeout',
  placeholder: 'SECONDS',
  meaning: `How long the script may run, 1 to ${MAX_TIMEOUT_SECONDS} seconds; then it is stopped and counts as failed.`,
  check(value, { line, issues }) {
    const seconds = Number(value);
    if (Number.isInteger(seconds) && seconds >= 1 && seconds <= MAX_TIMEOUT_SECONDS) return;
    issues.error(line, `timeout=${value} is not a whole number of seconds from 1 to ${MAX_TIMEOUT_SECONDS}`, {
      field: 'timeout',
      hint: 'write e.g. timeout=60',
    });
  },
};
