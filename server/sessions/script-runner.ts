import type { BackendState, ExecOutcome, LabBackend } from '../backend/lab-backend';
import type { ScriptBlock } from '../labs/types';

/** A setup block exited non-zero or ran out of time. */
export class ScriptFailed extends Error {
  constructor(
    readonly block: ScriptBlock,
    readonly outcome: ExecOutcome,
    what: string,
  ) {
    const last = (outcome.stderr || outcome.stdout).trim().split('\n').pop() ?? '';
    super(outcome.timedOut ? `${what} (line ${block.line}) took longer than ${block.timeoutSeconds} s` : `${what} (line ${block.line}) failed: ${last}`);
  }
}

/**
 * The one way a lab's script block reaches a machine: its machine, its own
 * timeout, the output cap. Lab setup, step setup and `berth lab test` go
 * through here, so a block behaves the same in class and in the test.
 * (Checks go through server/checks/check-runner.ts, which adds the class-wide
 * concurrency bound and feedback.)
 */
export class ScriptRunner {
  constructor(
    private readonly backend: LabBackend,
    private readonly outputCapBytes: number,
  ) {}

  run(state: BackendState, block: ScriptBlock): Promise<ExecOutcome> {
    return this.backend.exec(state, block.machine, block.script, { timeoutMs: block.timeoutSeconds * 1000, outputCapBytes: this.outputCapBytes });
  }

  /** Runs blocks in order and stops at the first that fails, throwing `ScriptFailed` named by `what`. */
  async runAll(state: BackendState, blocks: ScriptBlock[], what: string): Promise<void> {
    for (const block of blocks) {
      const outcome = await this.run(state, block);
      if (outcome.exitCode !== 0 || outcome.timedOut) throw new ScriptFailed(block, outcome, what);
    }
  }
}
