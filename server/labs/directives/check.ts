import { scriptCheck } from '../../checks/kinds/script-check';
import { machine, timeout } from './attributes';
import type { Directive } from './directive';
import { scriptBlock } from './script-block';

/** A check block is a script check (server/checks/kinds/script-check.ts): the kind says what makes it valid. */
export const check: Directive = {
  name: 'check',
  summary:
    'bash script; exit 0 = step done. On failure the last non-empty output line is shown to the student; a line starting `FAIL:` is preferred (prefix stripped). Hidden from the student. Several checks in a step must all pass.',
  attributes: [machine, timeout],
  allowedIn: ['step'],
  defaultTimeout: 20,
  // progress-service gives a check without timeout= the server's setting, so a slow host can be allowed more.
  defaultTimeoutNote: 'In class, a `check` without `timeout=` gets the server\'s `BERTH_CHECK_TIMEOUT` instead (20 s unless set).',
  build(b, ctx) {
    for (const p of scriptCheck.validate({ text: b.token.text, attrs: b.attrs })) {
      ctx.issues.error(b.line, p.message, { ...(p.field ? { field: p.field } : {}), ...(p.hint ? { hint: p.hint } : {}) });
    }
    ctx.out.checks.push({ ...scriptBlock(b, ctx, b.token.text), kind: scriptCheck.name });
  },
};
