import type { BackendState } from '../../backend/lab-backend';
import type { CheckBlock } from '../../labs/types';
import type { ScriptRunner } from '../../sessions/script-runner';

/**
 * A way of deciding that a step is done. The script check (a bash script that
 * exits 0) is the first; an HTTP probe would be the next. Each kind is one
 * file in this folder, listed in index.ts: a `check kind=NAME` block in
 * lab.md picks it, the lab parser asks it to validate the block, the check
 * runner dispatches on it, and docs/lab-format.md lists it from its `summary`.
 */

/** A problem with a check block, reported on the line of its fence. */
export interface CheckProblem {
  message: string;
  hint?: string;
  field?: string;
}

/** What a kind needs to run one check: the session's machines and the one runner of scripts. */
export interface CheckContext {
  state: BackendState;
  scripts: ScriptRunner;
}

/** One check's verdict; the runner adds timing and the line. */
export interface KindVerdict {
  passed: boolean;
  /** What the student reads when it failed. */
  feedback?: string;
  /** Failed on purpose: the check said why itself (not a timeout, not a stray error). `berth lab test` counts only these as rejecting a forge. */
  explicit?: boolean;
}

export interface CheckKind {
  /** What `kind=` says in lab.md. */
  name: string;
  /** Its entry in docs/lab-format.md's table of check kinds: what the block holds and what passes, one cell of Markdown. */
  summary: string;
  /** Problems with a block of this kind, found when lab.md is parsed; empty when it can run. */
  validate(block: { text: string; attrs: Readonly<Record<string, string>> }): CheckProblem[];
  run(ctx: CheckContext, check: CheckBlock): Promise<KindVerdict>;
}
