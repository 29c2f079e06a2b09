import { machine } from './attributes';
import type { Directive } from './directive';

export const run: Directive = {
  name: 'run',
  summary: "a command with a Run button; typed into that machine's terminal and executed (with `paste`: typed, not executed)",
  attributes: [machine, { name: 'paste', flag: true, meaning: 'The Run button types the command without pressing Enter, so the student can read or change it first.' }],
  allowedIn: ['intro', 'step'],
  build(b, ctx) {
    const id = ctx.nextId('run');
    ctx.out.blocks.push({ kind: 'run', id, machine: ctx.machine, command: b.token.text, mode: b.flags.has('paste') ? 'paste' : 'run' });
    ctx.place(id);
  },
};
