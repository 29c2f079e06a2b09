import type { BackendState, LabBackend } from '../backend/lab-backend';
import type { CheckBlock } from '../labs/types';
import { ScriptRunner } from '../sessions/script-runner';
import { Semaphore } from '../sessions/semaphore';
import { checkKind } from './kinds';

export interface CheckOutcome {
  passed: boolean;
  feedback?: string;
  durationMs: number;
  /** lab.md line of the check that failed (for authors; the student reads `feedback`). */
  line?: number;
  /** The failed check said why with its own FAIL: line (see KindVerdict). */
  explicit?: boolean;
}

/**
 * Runs a step's checks inside the student's machines, each by its kind
 * (server/checks/kinds). Every check of the step must pass; the first that
 * fails decides the feedback. A global semaphore bounds how many steps are
 * being checked at once across the class, whatever their kinds. A check
 * without its own `timeout=` gets `defaultTimeoutSeconds` (BERTH_CHECK_TIMEOUT)
 * here, the one place both the classroom and `berth lab test` go through.
 */
export class CheckRunner {
  private readonly limit: Semaphore;
  private readonly scripts: ScriptRunner;

  constructor(
    backend: LabBackend,
    concurrency: number,
    outputCapBytes: number,
    /** For checks without `timeout=`; unset, they keep the directive's default (20 s). */
    private readonly defaultTimeoutSeconds?: number,
  ) {
    this.limit = new Semaphore(Math.max(1, concurrency));
    this.scripts = new ScriptRunner(backend, outputCapBytes);
  }

  private withDefaultTimeout(check: CheckBlock): CheckBlock {
    return check.timeoutSet || this.defaultTimeoutSeconds === undefined ? check : { ...check, timeoutSeconds: this.defaultTimeoutSeconds };
  }

  async run(state: BackendState, checks: CheckBlock[]): Promise<CheckOutcome> {
    const started = Date.now();
    return this.limit.run(async () => {
      for (const check of checks.map((c) => this.withDefaultTimeout(c))) {
        const kind = checkKind(check.kind);
        // The parser only builds known kinds; a stale cached definition is the only way here.
        if (!kind) throw new Error(`check at lab.md line ${check.line}: unknown check kind "${check.kind}"`);
        const verdict = await kind.run({ state, scripts: this.scripts }, check);
        if (!verdict.passed) return { passed: false, feedback: verdict.feedback, durationMs: Date.now() - started, line: check.line, explicit: verdict.explicit };
      }
      return { passed: true, durationMs: Date.now() - started };
    });
  }
}
