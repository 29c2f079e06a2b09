import { machine, timeout } from './attributes';
import type { Directive } from './directive';
import { forgeScript } from './forge';

export const undo: Directive = {
  name: 'undo',
  summary: 'bash script that puts back what the forge just before it did',
  attributes: [machine, timeout],
  allowedIn: ['step'],
  defaultTimeout: 60,
  build(b, ctx) {
    const script = forgeScript(b, ctx);
    const forge = ctx.out.forges[ctx.out.forges.length - 1];
    if (forge) {
      forge.undo.push(script);
    } else {
      ctx.issues.error(b.line, 'an undo block must follow a forge block', {
        hint: 'an undo puts back what the forge just before it did; write the ```forge block first',
      });
    }
  },
};
