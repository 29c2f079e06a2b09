import type { ScriptBlock } from '../types';
import { machine, timeout } from './attributes';
import type { BuildContext, Directive, FoundBlock } from './directive';
import { scriptText } from './script-block';

/** A forge or undo script: only `berth lab test` runs it, never a class, so it takes no server default. */
export function forgeScript(b: FoundBlock, ctx: BuildContext): ScriptBlock {
  const text = scriptText(b, ctx);
  return {
    machine: ctx.machine,
    script: text,
    timeoutSeconds: b.attrs.timeout ? Number(b.attrs.timeout) : (b.directive.defaultTimeout ?? 60),
    visible: false,
    line: b.line,
  };
}

/** The forge's first comment names it in lab test's table ("# docker kill instead of OOM"). */
function forgeLabel(script: string, line: number): string {
  const comment = script.split('\n').map((l) => /^\s*#\s*(.*?)\s*$/.exec(l)).find((m) => m && m[1] && !m[1].startsWith('!'));
  return comment ? comment[1] : `forge at line ${line}`;
}

export const forge: Directive = {
  name: 'forge',
  summary:
    'bash script doing a plausible *wrong* attempt at the step; `berth lab test` proves the check rejects it. Never shown. Only in a step with a check',
  attributes: [machine, timeout],
  allowedIn: ['step'],
  defaultTimeout: 60,
  build(b, ctx) {
    const script = forgeScript(b, ctx);
    ctx.out.forges.push({ ...script, label: forgeLabel(script.script, b.line), undo: [] });
  },
};
