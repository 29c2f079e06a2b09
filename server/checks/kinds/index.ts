import type { CheckKind } from './check-kind';
import { scriptCheck } from './script-check';

/**
 * Every check kind by name. A new kind is one file beside this one, one line
 * here and `npm run docs:directives` (its `summary` becomes its docs entry);
 * `check kind=NAME` in lab.md then picks it.
 */
export const CHECK_KINDS: Readonly<Record<string, CheckKind>> = {
  [scriptCheck.name]: scriptCheck,
};

/** A block without `kind` predates the registry: it is a script check. */
export const DEFAULT_CHECK_KIND = scriptCheck.name;

export function checkKindNames(): string[] {
  return Object.keys(CHECK_KINDS);
}

export function checkKind(name: string | undefined): CheckKind | undefined {
  const key = name ?? DEFAULT_CHECK_KIND;
  return Object.hasOwn(CHECK_KINDS, key) ? CHECK_KINDS[key] : undefined;
}

export type { CheckContext, CheckKind, CheckProblem, KindVerdict } from './check-kind';
