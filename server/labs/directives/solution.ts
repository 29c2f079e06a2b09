import type { Directive } from './directive';

export const solution: Directive = {
  name: 'solution',
  summary: 'Markdown revealed on request (after confirmation); the reveal is recorded',
  attributes: [],
  allowedIn: ['step'],
  build(b, ctx) {
    if (ctx.out.solutions.length === 1) {
      ctx.issues.warning(b.line, 'a second solution block in this step is appended to the first', {
        hint: 'a step has one solution; merge the blocks',
      });
    }
    ctx.out.solutions.push(b.token.text);
  },
};
