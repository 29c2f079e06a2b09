import { machine, timeout } from './attributes';
import type { Directive } from './directive';
import { scriptBlock, scriptText } from './script-block';

export const setup: Directive = {
  name: 'setup',
  summary:
    'bash script that runs when the step starts (hidden; `visible` types it into the terminal). Before the first `##` heading: lab-level setup, run once when machines are up',
  attributes: [
    machine,
    timeout,
    {
      name: 'visible',
      flag: true,
      meaning:
        "Typed into the student's terminal on that machine instead of run hidden (as soon as the terminal opens). Only in a step: lab-level setup runs before any terminal exists, so `validate` warns there.",
    },
  ],
  allowedIn: ['intro', 'step'],
  placeNotes: { intro: 'lab-level' },
  defaultTimeout: 20,
  build(b, ctx) {
    ctx.out.setup.push(scriptBlock(b, ctx, scriptText(b, ctx)));
  },
};
