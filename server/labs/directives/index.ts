import { check } from './check';
import { copy } from './copy';
import type { Directive } from './directive';
import { edit } from './edit';
import { forge } from './forge';
import { hint } from './hint';
import { quiz } from './quiz';
import { run } from './run';
import { setup } from './setup';
import { solution } from './solution';
import { solve } from './solve';
import { undo } from './undo';

/**
 * Every lab directive, in the order the docs list them. A new directive is
 * one file beside this one, one line here, and `npm run docs:directives`.
 */
export const DIRECTIVES: readonly Directive[] = [run, copy, edit, check, hint, solution, solve, setup, quiz, forge, undo];

const byName = new Map(DIRECTIVES.map((d) => [d.name, d]));

/** The directive a fence's first word names, if any. */
export function directiveNamed(word: string): Directive | undefined {
  return byName.get(word);
}

/** "an edit block", "a run block". */
export function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}

/** `key=PLACEHOLDER` or the flag, as hints and the docs write it. */
export function attributeUsage(a: Directive['attributes'][number]): string {
  return a.flag ? a.name : `${a.name}=${a.placeholder ?? 'VALUE'}`;
}

/** The hint after an unknown attribute: "a run block takes: machine=NAME, paste". */
export function takesHint(d: Directive, guess: string | undefined): string {
  // Values before flags, as the hint has always listed them.
  const allowed = [...d.attributes.filter((a) => !a.flag), ...d.attributes.filter((a) => a.flag)].map(attributeUsage);
  const what = `${article(d.name)} ${d.name} block`;
  return allowed.length ? `${guess ? `did you mean "${guess}"? ` : ''}${what} takes: ${allowed.join(', ')}` : `${what} takes no attributes`;
}

export type { Attribute, BuildContext, BuiltSection, Directive, FoundBlock, Place } from './directive';
