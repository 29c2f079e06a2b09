import { checkKind, checkKindNames, DEFAULT_CHECK_KIND } from '../../checks/kinds';
import { nearest } from '../schema';
import { machine, timeout } from './attributes';
import type { Attribute, Directive } from './directive';
import { scriptBlock } from './script-block';

/** `kind=`: which registered check kind (server/checks/kinds) decides; read from the registry, never listed here. */
const kind: Attribute = {
  name: 'kind',
  placeholder: 'KIND',
  get meaning() {
    return `How the check decides, by check kind (table above): ${checkKindNames().map((n) => `\`${n}\``).join(', ')}. Default: \`${DEFAULT_CHECK_KIND}\`.`;
  },
  check(value, { line, issues }) {
    if (checkKind(value)) return;
    const guess = nearest(value, checkKindNames());
    issues.error(line, `unknown check kind "${value}"`, {
      field: 'kind',
      hint: `${guess ? `did you mean kind=${guess}? ` : ''}the check kinds are: ${checkKindNames().join(', ')}`,
    });
  },
};

/** A check block is one of the check kinds (server/checks/kinds): its kind says what makes it valid and how it runs. */
export const check: Directive = {
  name: 'check',
  summary:
    'decides that the step is done; by default (`kind=script`) a bash script where exit 0 = done (see the check kinds below). Hidden from the student. Several checks in a step must all pass.',
  attributes: [machine, timeout, kind],
  allowedIn: ['step'],
  defaultTimeout: 20,
  // The check runner gives a check without timeout= the server's setting, so a slow host can be allowed more.
  defaultTimeoutNote: 'A `check` without `timeout=` gets the server\'s `BERTH_CHECK_TIMEOUT` instead, in class and in `berth lab test` (20 s unless set).',
  build(b, ctx) {
    // An unknown kind= was reported by the attribute; the lab is invalid and the block builds nothing.
    const chosen = checkKind(b.attrs.kind);
    if (!chosen) return;
    for (const p of chosen.validate({ text: b.token.text, attrs: b.attrs })) {
      ctx.issues.error(b.line, p.message, { ...(p.field ? { field: p.field } : {}), ...(p.hint ? { hint: p.hint } : {}) });
    }
    ctx.out.checks.push({ ...scriptBlock(b, ctx, b.token.text), kind: chosen.name });
  },
};
