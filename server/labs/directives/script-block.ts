import type { ScriptBlock } from '../types';
import type { BuildContext, FoundBlock } from './directive';

/** The script of a block that runs in a machine; an empty one is an error at its fence. */
export function scriptText(b: FoundBlock, ctx: BuildContext): string {
  const text = b.token.text;
  if (!text.trim()) ctx.issues.error(b.line, `the ${b.directive.name} block is empty`, { hint: 'write the bash script between the fences, or remove the block' });
  return text;
}

/** A setup, check or solve block: `timeoutSet` lets a check without `timeout=` take the server's default in class. */
export function scriptBlock(b: FoundBlock, ctx: BuildContext, text: string): ScriptBlock {
  return {
    machine: ctx.machine,
    script: text,
    timeoutSeconds: b.attrs.timeout ? Number(b.attrs.timeout) : (b.directive.defaultTimeout ?? 20),
    timeoutSet: Boolean(b.attrs.timeout),
    visible: b.flags.has('visible'),
    line: b.line,
  };
}
