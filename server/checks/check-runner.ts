import type { BackendState, LabBackend } from '../backend/lab-backend';
import type { ScriptBlock } from '../labs/types';
import { Semaphore } from '../sessions/semaphore';
import { feedbackFrom } from './feedback';

export interface CheckOutcome {
  passed: boolean;
  feedback?: string;
  durationMs: number;
}

/**
 * Runs a step's checks inside the student's machines. Every check of the step
 * must exit 0. A global semaphore bounds how many run at once across the class.
 */
export class CheckRunner {
  private readonly limit: Semaphore;

  constructor(
    private readonly backend: LabBackend,
    concurrency: number,
    private readonly outputCapBytes: number,
  ) {
    this.limit = new Semaphore(Math.max(1, concurrency));
  }

  async run(state: BackendState, checks: ScriptBlock[]): Promise<CheckOutcome> {
    const started = Date.now();
    return this.limit.run(async () => {
      for (const check of checks) {
        const result = await this.backend.exec(state, check.machine, check.script, {
          timeoutMs: check.timeoutSeconds * 1000,
          outputCapBytes: this.outputCapBytes,
        });
        if (result.exitCode !== 0 || result.timedOut) {
          return { passed: false, feedback: feedbackFrom(result, check.timeoutSeconds), durationMs: Date.now() - started };
        }
      }
      return { passed: true, durationMs: Date.now() - started };
    });
  }
}
