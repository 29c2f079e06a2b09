import { renderMarkdown } from '../render';
import type { Directive } from './directive';

export const hint: Directive = {
  name: 'hint',
  summary: 'Markdown shown on request, one at a time, in order',
  attributes: [],
  allowedIn: ['step'],
  build(b, ctx) {
    ctx.out.hints.push(renderMarkdown(b.token.text));
  },
};
