import crypto from 'node:crypto';
import type { BackendState, LabBackend } from '../backend/lab-backend';
import { CheckRunner } from '../checks/check-runner';
import { ScriptRunner } from '../sessions/script-runner';
import type { CheckBlock, LabDefinition, ScriptBlock, StepDefinition } from './types';

/**
 * An `edit` block as a script: create the file with the block's text unless
 * it exists. Base64 carries the text, so no heredoc delimiter can clash with it.
 */
export function editWrites(step: StepDefinition): ScriptBlock[] {
  return step.blocks.flatMap((b) => {
    if (b.kind !== 'edit') return [];
    const file = `'${b.path.replace(/'/g, `'\\''`)}'`;
    const body = Buffer.from(b.text, 'utf8').toString('base64');
    const script = `f=${file}; [ -e "$f" ] || { mkdir -p "$(dirname "$f")" && printf '%s' '${body}' | base64 -d > "$f"; }`;
    return [{ machine: b.machine, script, timeoutSeconds: 20, visible: false, line: step.line }];
  });
}

/**
 * `berth lab test`: proves a lab on real machines the way Instruqt's track
 * test does. For each step: setup, check (must fail: a check that passes
 * before the student did anything is a bug), then each forge (a plausible
 * wrong attempt) followed by the check, which must fail again, and the
 * forge's undo; then solve, check (must pass). Forges run on the step's own
 * state rather than a fresh copy because copying machines mid-lab costs far
 * more than an undo script, and the solve after them proves the undo left
 * nothing behind that matters. Written against LabBackend only, so any
 * backend can be tested the same way. Scripts go through the classroom's
 * ScriptRunner and checks through its CheckRunner, so a block behaves here as
 * it does in class.
 */

export type Phase = 'setup' | 'check before' | 'forges' | 'solve' | 'check after';

export interface ForgeResult {
  label: string;
  line: number;
  /**
   * True when the check failed it with its own FAIL: line, as it must. A
   * check that timed out or died on an error rejected nothing: the same
   * check could pass the forge on a quieter host.
   */
  rejected: boolean;
  /** What the check told the forge (its FAIL message), or why it failed otherwise; absent when it passed. */
  feedback?: string;
}

export interface StepResult {
  id: string;
  title: string;
  status: 'pass' | 'fail' | 'skipped' | 'untested';
  /** Milliseconds per phase that ran. */
  ms: Partial<Record<Phase, number>>;
  problem?: string;
  /** Whether the step has a check (forges are counted against checked steps). */
  checked?: boolean;
  forges?: ForgeResult[];
}

export interface LabTestResult {
  labId: string;
  ok: boolean;
  sessionId: string;
  startMs: number;
  setupMs: number;
  totalMs: number;
  steps: StepResult[];
  problem?: string;
  /** Present when the machines were kept (--keep). */
  kept?: BackendState;
}

export interface LabTestOptions {
  backend: LabBackend;
  /** Labs tested at the same time; each starts its own machines. */
  parallel?: number;
  /** Leave the machines running for debugging. */
  keep?: boolean;
  log?: (line: string) => void;
  outputCapBytes?: number;
  /** BERTH_CHECK_TIMEOUT: what a check without `timeout=` may take, as in class. */
  checkTimeoutSeconds?: number;
  /** A check right after a solve may need a moment (a container starting); it gets this many tries. */
  checkAttempts?: number;
  retryDelayMs?: number;
}

class Aborted extends Error {}

export class LabTester {
  private readonly running = new Map<string, Promise<BackendState | null>>();
  private aborted = false;
  private readonly scripts: ScriptRunner;
  private readonly checks: CheckRunner;

  constructor(private readonly options: LabTestOptions) {
    const cap = options.outputCapBytes ?? 64 * 1024;
    this.scripts = new ScriptRunner(options.backend, cap);
    // Each lab under test checks one step at a time, so this bound never makes one wait.
    this.checks = new CheckRunner(options.backend, Math.max(1, options.parallel ?? 2), cap, options.checkTimeoutSeconds);
  }

  private log(line: string): void {
    (this.options.log ?? ((l: string) => console.log(l)))(line);
  }

  async run(labs: LabDefinition[]): Promise<LabTestResult[]> {
    const results: LabTestResult[] = new Array(labs.length);
    let next = 0;
    const worker = async () => {
      while (next < labs.length && !this.aborted) {
        const i = next++;
        results[i] = await this.testLab(labs[i]);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(this.options.parallel ?? 2, labs.length)) }, worker));
    return results.filter(Boolean);
  }

  /** Stops every machine started so far, kept or not: Ctrl-C means "leave nothing behind". */
  async abort(): Promise<void> {
    this.aborted = true;
    const pending = [...this.running.values()];
    this.running.clear();
    await Promise.all(
      pending.map(async (p) => {
        const state = await p.catch(() => null);
        if (state) await this.options.backend.stop(state).catch(() => undefined);
      }),
    );
  }

  private async testLab(lab: LabDefinition): Promise<LabTestResult> {
    const began = Date.now();
    const sessionId = `labtest-${crypto.randomBytes(4).toString('hex')}`;
    const result: LabTestResult = { labId: lab.id, ok: false, sessionId, startMs: 0, setupMs: 0, totalMs: 0, steps: [] };
    const { backend } = this.options;
    this.log(`[${lab.id}] starting ${lab.machines.length} machine(s)`);
    const starting = backend.start({
      sessionId,
      labId: lab.id,
      studentId: 'lab-test',
      machines: lab.machines.map((m) => ({ ...m, files: m.files.map((f) => ({ ...f })) })),
    });
    this.running.set(sessionId, starting);
    let state: BackendState | null = null;
    try {
      state = await starting;
      result.startMs = Date.now() - began;
      if (this.aborted) throw new Aborted('interrupted');

      const setupBegan = Date.now();
      for (const block of lab.setup) {
        const problem = await this.runScript(state, block, 'lab setup');
        if (problem) throw new Error(problem);
      }
      result.setupMs = Date.now() - setupBegan;

      let failed = false;
      for (const step of lab.steps) {
        if (failed || this.aborted) {
          result.steps.push({ id: step.id, title: step.title, status: 'skipped', ms: {} });
          continue;
        }
        const outcome = await this.testStep(state, step);
        result.steps.push(outcome);
        this.log(`[${lab.id}] ${outcome.status.padEnd(8)} ${step.title}${outcome.problem ? `: ${outcome.problem}` : ''}`);
        // Later steps build on earlier ones; after a failure their results would only mislead.
        if (outcome.status === 'fail') failed = true;
      }
      result.ok = !failed && !this.aborted;
    } catch (err) {
      result.problem = err instanceof Aborted ? 'interrupted' : err instanceof Error ? err.message : String(err);
      for (const step of lab.steps.slice(result.steps.length)) result.steps.push({ id: step.id, title: step.title, status: 'skipped', ms: {} });
    } finally {
      result.totalMs = Date.now() - began;
      if (state && this.options.keep && !this.aborted) {
        result.kept = state;
      } else if (state && this.running.has(sessionId)) {
        await backend.stop(state).catch((err: unknown) => this.log(`[${lab.id}] cleanup failed: ${String(err)}`));
      }
      this.running.delete(sessionId);
    }
    return result;
  }

  private async testStep(state: BackendState, step: StepDefinition): Promise<StepResult> {
    const r: StepResult = { id: step.id, title: step.title, status: 'pass', ms: {}, checked: step.checks.length > 0, forges: [] };
    const fail = (problem: string): StepResult => ({ ...r, status: 'fail', problem });
    const timed = async <T>(phase: Phase, fn: () => Promise<T>): Promise<T> => {
      const began = Date.now();
      try {
        return await fn();
      } finally {
        r.ms[phase] = Date.now() - began;
      }
    };

    // Quizzes need no machine: the parser already refuses a lab whose answer key is wrong.
    const setupProblem = await timed('setup', async () => {
      for (const block of step.setup) {
        const problem = await this.runScript(state, block, 'setup');
        if (problem) return problem;
      }
      return null;
    });
    if (setupProblem) return fail(setupProblem);

    if (step.checks.length) {
      const before = await timed('check before', () => this.runChecks(state, step.checks));
      if (before === null) return fail('the check passes before the work is done: it must fail until the student acts');
    }

    const forgeProblem = await timed('forges', async () => {
      for (const forge of step.forges) {
        const problem = await this.runScript(state, forge, `forge "${forge.label}"`);
        if (problem) return problem;
        const outcome = await this.checks.run(state, step.checks);
        const rejected = !outcome.passed && outcome.explicit === true;
        r.forges!.push({ label: forge.label, line: forge.line, rejected, ...(outcome.passed ? {} : { feedback: outcome.feedback ?? '' }) });
        if (outcome.passed) return `the check accepts a wrong attempt: "${forge.label}" (forge at lab.md line ${forge.line})`;
        if (!rejected) {
          return `the check failed the wrong attempt "${forge.label}" (forge at lab.md line ${forge.line}) without a FAIL: line of its own, so it proves nothing: ${outcome.feedback ?? ''} (lab.md line ${outcome.line})`;
        }
        for (const undo of forge.undo) {
          const undone = await this.runScript(state, undo, `undo of "${forge.label}"`);
          if (undone) return undone;
        }
      }
      return null;
    });
    if (forgeProblem) return fail(forgeProblem);

    const solveProblem = await timed('solve', async () => {
      // The files a student would write in the editor, as "Open in editor" would create them.
      for (const block of editWrites(step)) {
        const problem = await this.runScript(state, block, 'edit block');
        if (problem) return problem;
      }
      for (const block of step.solve) {
        const problem = await this.runScript(state, block, 'solve');
        if (problem) return problem;
      }
      return null;
    });
    if (solveProblem) return fail(solveProblem);

    if (step.checks.length) {
      if (step.solve.length === 0) return { ...r, status: 'untested', problem: 'the step has a check but no solve' };
      const attempts = Math.max(1, this.options.checkAttempts ?? 3);
      const after = await timed('check after', async () => {
        let feedback: string | null = null;
        for (let i = 0; i < attempts; i++) {
          if (i > 0) await new Promise((res) => setTimeout(res, this.options.retryDelayMs ?? 2000));
          feedback = await this.runChecks(state, step.checks);
          if (feedback === null) return null;
        }
        return feedback;
      });
      if (after !== null) return fail(`the check still fails after the solve: ${after}`);
    } else if (step.quizzes.length === 0) {
      return { ...r, status: 'untested', problem: 'no check or quiz' };
    }
    return r;
  }

  /** Null when every check passes, else what the student would be told and where the failing check is. */
  private async runChecks(state: BackendState, checks: CheckBlock[]): Promise<string | null> {
    const outcome = await this.checks.run(state, checks);
    return outcome.passed ? null : `${outcome.feedback ?? ''} (lab.md line ${outcome.line})`;
  }

  /** Null on success, else why the script failed. */
  private async runScript(state: BackendState, block: ScriptBlock, kind: string): Promise<string | null> {
    const outcome = await this.scripts.run(state, block);
    if (outcome.timedOut) return `${kind} (lab.md line ${block.line}) took longer than ${block.timeoutSeconds} s`;
    if (outcome.exitCode !== 0) {
      const last = `${outcome.stdout}\n${outcome.stderr}`.trim().split('\n').pop() ?? '';
      return `${kind} (lab.md line ${block.line}) exited ${outcome.exitCode}${last ? `: ${last.slice(0, 300)}` : ''}`;
    }
    return null;
  }
}

const seconds = (ms: number | undefined) => (ms === undefined ? '' : `${(ms / 1000).toFixed(1)}s`);

/** A plain-text table per lab: fits a terminal and a CI log alike. */
export function formatLabTestResult(result: LabTestResult): string {
  const rows: string[][] = [['step', 'result', 'setup', 'check before', 'forges', 'solve', 'check after', 'note']];
  for (const s of result.steps) {
    const forges = s.forges?.length ? `${s.forges.filter((f) => f.rejected).length}/${s.forges.length} ${seconds(s.ms.forges)}` : '';
    rows.push([s.title, s.status, seconds(s.ms.setup), seconds(s.ms['check before']), forges, seconds(s.ms.solve), seconds(s.ms['check after']), s.problem ?? '']);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  ').trimEnd();
  const head = `${result.ok ? 'PASS' : 'FAIL'} ${result.labId}  (machines ${seconds(result.startMs)}, lab setup ${seconds(result.setupMs)}, total ${seconds(result.totalMs)})`;
  return [head, ...(result.problem ? [`  ${result.problem}`] : []), ...rows.map((r) => `  ${line(r)}`), ...formatForgeFeedback(result)].join('\n');
}

/**
 * Under the table, what each step's check told each forge: an author reads
 * there that a forge was turned away for the reason it was written for, not
 * by an earlier condition it happens to miss.
 */
function formatForgeFeedback(result: LabTestResult): string[] {
  const out: string[] = [];
  for (const s of result.steps) {
    if (!s.forges?.length) continue;
    out.push(`  forges of "${s.title}":`);
    for (const f of s.forges) {
      const verdict = f.rejected ? 'rejected' : f.feedback === undefined ? 'ACCEPTED' : 'NO PROOF (no FAIL: line)';
      out.push(`    ${verdict}  ${f.label} (line ${f.line})${f.feedback === undefined ? '' : `: ${f.feedback}`}`);
    }
  }
  return out;
}

/** Checked steps, and those with at least one forge the check rejected: the measure of checks a wrong attempt cannot pass. */
export function forgeCoverage(results: LabTestResult[]): { checkedSteps: number; forged: number } {
  const steps = results.flatMap((r) => r.steps).filter((s) => s.checked);
  return { checkedSteps: steps.length, forged: steps.filter((s) => s.forges?.some((f) => f.rejected)).length };
}

export function formatForgeCoverage(results: LabTestResult[]): string {
  const { checkedSteps, forged } = forgeCoverage(results);
  return `${forged}/${checkedSteps} checked step(s) reject at least one forge (a wrong attempt)`;
}
