import type { BackendState } from '../../backend/lab-backend';
import type { CheckBlock } from '../../labs/types';
import type { ScriptRunner } from '../../sessions/script-runner';

/**
 * A way of deciding that a step is done. The script check (a bash script that
 * exits 0) is the first; an HTTP probe would be the next. Each kind is one
 * file in this folder, listed in index.ts: the check runner dispatches on a
 * check's `kind`, and the lab parser asks the kind to validate a block.
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
}

export interface CheckKind {
  name: string;
  /** Problems with a block of this kind, found when lab.md is parsed; empty when it can run. */
  validate(block: { text: string; attrs: Readonly<Record<string, string>> }): CheckProblem[];
  run(ctx: CheckContext, check: CheckBlock): Promise<KindVerdict>;
}
