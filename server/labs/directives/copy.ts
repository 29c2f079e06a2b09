import type { Directive } from './directive';

export const copy: Directive = {
  name: 'copy',
  summary: 'text with a Copy button only',
  attributes: [],
  allowedIn: ['intro', 'step'],
  build(b, ctx) {
    const id = ctx.nextId('copy');
    ctx.out.blocks.push({ kind: 'copy', id, text: b.token.text });
    ctx.place(id);
  },
};
