import { machine, timeout } from './attributes';
import type { Directive } from './directive';
import { scriptBlock, scriptText } from './script-block';

export const solve: Directive = {
  name: 'solve',
  summary: 'bash script an expert would type; used by `berth lab test`, never shown',
  attributes: [machine, timeout],
  allowedIn: ['step'],
  defaultTimeout: 120,
  build(b, ctx) {
    ctx.out.solve.push(scriptBlock(b, ctx, scriptText(b, ctx)));
  },
};
