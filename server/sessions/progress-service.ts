import type { CheckRunner } from '../checks/check-runner';
import type { BerthConfig } from '../config';
import type { CheckResultEvent, ProgressView, QuizReply, RevealReply } from '../contracts/protocol';
import { allProven, mayOpen, passedWithoutProof, stepNeedsProof } from '../contracts/step-rules';
import type { EventBus } from '../events';
import type { LabCatalog } from '../labs/catalog';
import type { LabDefinition, StepDefinition } from '../labs/types';
import type { SessionRow, Store } from '../store/database';
import { sessionLog } from '../log';
import type { SessionManager } from './session-manager';
import { SessionError, stateOf } from './session-manager';
import type { StepSetup } from './step-setup';
import { publicMessage } from '../public-error';

type Trigger = CheckResultEvent['trigger'];

/**
 * A student's way through a lab: current step, checks, hints, solutions and
 * quizzes. Every change is saved before it is announced, so a restart of the
 * server loses nothing.
 */
export class ProgressService {
  private readonly running = new Set<string>();
  private readonly rerun = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private readonly lastStatus = new Map<string, CheckResultEvent>();
  /** Sessions whose last results were read back from check_runs (after a restart of Berth, the map starts empty). */
  private readonly loaded = new Set<string>();

  constructor(
    private readonly config: BerthConfig,
    private readonly store: Store,
    private readonly catalog: LabCatalog,
    private readonly sessions: SessionManager,
    private readonly checks: CheckRunner,
    private readonly bus: EventBus,
    private readonly stepSetup: StepSetup,
  ) {
    // The last check results are kept for a page that reconnects; an ended session has no page to serve.
    bus.on('ended', ({ sessionId }) => this.forget(sessionId));
  }

  private forget(sessionId: string): void {
    for (const key of this.lastStatus.keys()) if (key.startsWith(`${sessionId}/`)) this.lastStatus.delete(key);
    this.loaded.delete(sessionId);
  }

  /**
   * The latest stored run of each step, once per session: a page that
   * reconnects after a restart still sees its results, and a check+quiz step
   * whose check passed before the restart completes with the right answer.
   * Results published since the restart are newer and stay.
   */
  private loadStored(sessionId: string): void {
    if (this.loaded.has(sessionId)) return;
    this.loaded.add(sessionId);
    const rows = this.store.db
      .prepare(
        `SELECT step, status, feedback, duration_ms AS durationMs, trigger FROM check_runs
         WHERE rowid IN (SELECT MAX(rowid) FROM check_runs WHERE session_id = ? GROUP BY step)`,
      )
      .all(sessionId) as Array<{ step: number; status: string; feedback: string | null; durationMs: number | null; trigger: Trigger }>;
    for (const r of rows) {
      const key = `${sessionId}/${r.step}`;
      if (this.lastStatus.has(key) || (r.status !== 'passed' && r.status !== 'failed')) continue;
      const event: CheckResultEvent = { sessionId, step: r.step, status: r.status, trigger: r.trigger };
      if (r.feedback !== null) event.feedback = r.feedback;
      if (r.durationMs !== null) event.durationMs = r.durationMs;
      this.lastStatus.set(key, event);
    }
  }

  startTimer(): void {
    const every = this.config.checks.autoIntervalSeconds * 1000;
    if (every <= 0) return;
    this.timer = setInterval(() => this.tick(), every);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** The slow timer: only sessions someone worked in recently, so idle labs cost nothing. */
  private tick(): void {
    const recent = Date.now() - 5 * 60_000;
    for (const row of this.store.liveSessions()) {
      if (row.state !== 'running' || row.lastActivityAt < recent) continue;
      void this.autoCheck(row.id, 'timer');
    }
  }

  view(row: SessionRow): ProgressView {
    return this.store.getProgress(row.studentId, row.labId);
  }

  lastResults(sessionId: string): CheckResultEvent[] {
    this.loadStored(sessionId);
    return [...this.lastStatus.values()].filter((e) => e.sessionId === sessionId);
  }

  private context(sessionId: string): { row: SessionRow; lab: LabDefinition; progress: ProgressView } {
    const row = this.sessions.get(sessionId);
    if (!row) throw new SessionError('not_found', 'That lab session does not exist.');
    const lab = this.catalog.get(row.labId);
    if (!lab) throw new SessionError('not_found', 'This lab is no longer available.');
    return { row, lab, progress: this.store.getProgress(row.studentId, row.labId) };
  }

  private step(lab: LabDefinition, index: number): StepDefinition {
    const step = lab.steps[index];
    if (!step) throw new SessionError('invalid', `This lab has no step ${index + 1}.`);
    return step;
  }

  private save(row: SessionRow, progress: ProgressView): void {
    this.store.saveProgress(row.studentId, progress);
    this.bus.emit('progress', { sessionId: row.id, studentId: row.studentId, progress });
  }

  /** Which steps need proof, as the step rules shared with the lab page see them (server/contracts/step-rules.ts). */
  private static proofNeeded(lab: LabDefinition): boolean[] {
    return lab.steps.map((s) => stepNeedsProof(s.checks.length > 0, s.quizzes.length));
  }

  goto(sessionId: string, index: number): ProgressView {
    const { row, lab, progress } = this.context(sessionId);
    this.step(lab, index);
    const needs = ProgressService.proofNeeded(lab);
    if (!mayOpen(needs, progress.completed, index)) throw new SessionError('conflict', 'Finish the current step first.');
    progress.completed.push(...passedWithoutProof(needs, progress.completed, progress.currentStep, index));
    progress.currentStep = index;
    this.finishIfDone(lab, progress);
    this.save(row, progress);
    void this.runStepSetup(row, lab, index).catch((err: unknown) => sessionLog(row.id).error({ err: String(err), step: index }, 'step setup failed'));
    return progress;
  }

  private finishIfDone(lab: LabDefinition, progress: ProgressView): void {
    // On the last step, every step without proof has been passed: the shared rule is enough.
    if (allProven(ProgressService.proofNeeded(lab), progress.completed) && lab.steps.length > 0 && progress.finishedAt === null && progress.currentStep === lab.steps.length - 1) {
      for (let i = 0; i < lab.steps.length; i++) if (!progress.completed.includes(i)) progress.completed.push(i);
      progress.finishedAt = Date.now();
    }
  }

  /** The student reached a step: its setup runs once per session (step-setup.ts owns the rule). */
  async runStepSetup(row: SessionRow, lab: LabDefinition, index: number): Promise<void> {
    const state = stateOf(row);
    if (!state) return;
    await this.stepSetup.enter(row.id, lab, state, index);
  }

  /** A main terminal opened: visible setup waiting for it is typed now (step 0's, after a start). */
  terminalOpened(sessionId: string, machine: string): void {
    const row = this.sessions.get(sessionId);
    const lab = row && this.catalog.get(row.labId);
    if (lab) this.stepSetup.terminalOpened(sessionId, lab, machine);
  }

  /** After Enter and a quiet terminal, or on the timer: check the current step if it is not done. */
  async autoCheck(sessionId: string, trigger: Trigger): Promise<void> {
    let ctx;
    try {
      ctx = this.context(sessionId);
    } catch {
      // The session or its lab is gone (ended meanwhile, lab removed): an automatic check has nothing to do.
      return;
    }
    const { row, lab, progress } = ctx;
    if (row.state !== 'running') return;
    const index = progress.currentStep;
    const step = lab.steps[index];
    if (!step || step.checks.length === 0 || progress.completed.includes(index)) return;
    await this.runCheck(sessionId, index, trigger);
  }

  /**
   * Throws why a check of this step cannot run now. The socket handler calls
   * this before it answers `{ok:true}`: a refusal raised after that answer was
   * lost, because an acknowledgement can only be sent once.
   */
  checkable(sessionId: string, index: number): { row: SessionRow; step: StepDefinition } {
    const { row, lab } = this.context(sessionId);
    const step = this.step(lab, index);
    if (row.state !== 'running' || !stateOf(row)) throw new SessionError('conflict', 'Your lab machines are not running.');
    if (step.checks.length === 0) throw new SessionError('invalid', 'This step has nothing to check.');
    return { row, step };
  }

  /** Never more than one check in flight per session; a button press during one asks for another. */
  async runCheck(sessionId: string, index: number, trigger: Trigger): Promise<CheckResultEvent | null> {
    const { row, step } = this.checkable(sessionId, index);
    if (this.running.has(sessionId)) {
      if (trigger === 'button') this.rerun.add(sessionId);
      return null;
    }
    this.running.add(sessionId);
    try {
      this.publish({ sessionId, step: index, status: 'running', trigger });
      // BERTH_CHECK_TIMEOUT is applied by the check runner, for berth lab test as well.
      const outcome = await this.checks.run(stateOf(row)!, step.checks);
      const event: CheckResultEvent = {
        sessionId,
        step: index,
        status: outcome.passed ? 'passed' : 'failed',
        feedback: outcome.feedback,
        durationMs: outcome.durationMs,
        trigger,
      };
      this.store.recordCheck(sessionId, index, event.status, event.feedback, outcome.durationMs, trigger);
      if (outcome.passed) this.markPassed(sessionId, index);
      this.publish(event);
      return event;
    } catch (err) {
      // The student reads only the public part; the cause is for the admin.
      sessionLog(sessionId).error({ err: String(err), step: index, trigger }, 'check could not run');
      const event: CheckResultEvent = { sessionId, step: index, status: 'failed', feedback: `The check could not run: ${publicMessage(err)}`, trigger };
      this.publish(event);
      return event;
    } finally {
      this.running.delete(sessionId);
      // The re-run reports its own result (or failure) as a check event; a refusal here (the lab ended meanwhile) needs no one told.
      if (this.rerun.delete(sessionId)) void this.runCheck(sessionId, index, 'button').catch(() => undefined);
    }
  }

  private publish(event: CheckResultEvent): void {
    this.loadStored(event.sessionId);
    this.lastStatus.set(`${event.sessionId}/${event.step}`, event);
    this.bus.emit('check', event);
  }

  private markPassed(sessionId: string, index: number): void {
    const { row, lab, progress } = this.context(sessionId);
    const step = lab.steps[index];
    const quizzesDone = step.quizzes.every((q) => progress.quizAnswers[q.id]?.correct);
    if (!quizzesDone) return;
    if (!progress.completed.includes(index)) progress.completed.push(index);
    this.saveCompleted(row, lab, progress);
  }

  /**
   * A step is done. The student stays on it (the page celebrates and unlocks
   * Next) until they move on with `goto`, which also runs the next step's
   * setup: the current step is always the one the student is looking at, so
   * a reload returns to it.
   */
  private saveCompleted(row: SessionRow, lab: LabDefinition, progress: ProgressView): void {
    this.finishIfDone(lab, progress);
    this.save(row, progress);
  }

  /**
   * The instructor vouches for a step: it unlocks what follows as a pass
   * would. Works without a running lab (progress is the student's, not the
   * session's); the live view records the mark itself, apart from passes.
   */
  markDone(studentId: string, labId: string, index: number): ProgressView {
    const lab = this.catalog.get(labId);
    if (!lab) throw new SessionError('not_found', `There is no lab called "${labId}".`);
    this.step(lab, index);
    const progress = this.store.getProgress(studentId, labId);
    if (!progress.completed.includes(index)) progress.completed.push(index);
    this.finishIfDone(lab, progress);
    this.store.saveProgress(studentId, progress);
    const live = this.store.studentSessions(studentId).find((s) => s.labId === labId);
    this.bus.emit('progress', { sessionId: live?.id ?? '', studentId, progress });
    return progress;
  }

  revealHint(sessionId: string, index: number): RevealReply {
    const { row, lab, progress } = this.context(sessionId);
    const step = this.step(lab, index);
    const shown = progress.hintsRevealed[index] ?? 0;
    if (shown >= step.hintsHtml.length) return { ok: false, error: 'There are no more hints for this step.' };
    progress.hintsRevealed[index] = shown + 1;
    this.save(row, progress);
    return { ok: true, html: step.hintsHtml[shown] };
  }

  hintsShown(row: SessionRow, lab: LabDefinition, index: number): string[] {
    const count = this.store.getProgress(row.studentId, row.labId).hintsRevealed[index] ?? 0;
    return lab.steps[index]?.hintsHtml.slice(0, count) ?? [];
  }

  revealSolution(sessionId: string, index: number): RevealReply {
    const { row, lab, progress } = this.context(sessionId);
    const step = this.step(lab, index);
    if (!step.solutionHtml) return { ok: false, error: 'This step has no written solution.' };
    if (!progress.solutionsRevealed.includes(index)) {
      progress.solutionsRevealed.push(index);
      this.save(row, progress);
    }
    return { ok: true, html: step.solutionHtml };
  }

  answerQuiz(sessionId: string, index: number, quizId: string, choices: number[]): QuizReply {
    const { row, lab, progress } = this.context(sessionId);
    const step = this.step(lab, index);
    const quiz = step.quizzes.find((q) => q.id === quizId);
    if (!quiz) return { ok: false, error: 'That question is not part of this step.' };
    if (choices.some((c) => !Number.isInteger(c) || c < 0 || c >= quiz.choices.length)) return { ok: false, error: 'That answer is not one of the choices.' };
    const wanted = quiz.choices.map((c, i) => (c.correct ? i : -1)).filter((i) => i >= 0);
    const picked = [...new Set(choices)].sort((a, b) => a - b);
    const correct = picked.length === wanted.length && picked.every((c, i) => c === wanted[i]);
    // Every answer counts, so guessing until right shows as guessing.
    progress.quizAnswers[quizId] = { choices: picked, correct, attempts: (progress.quizAnswers[quizId]?.attempts ?? 0) + 1 };
    this.bus.emit('quiz', { sessionId, studentId: row.studentId, labId: row.labId, step: index, quizId, choices: picked, correct });
    if (correct && step.quizzes.every((q) => progress.quizAnswers[q.id]?.correct)) {
      // A step with a check and a quiz whose check already passed (markPassed then waited for the
      // quiz) is complete now. Before, it waited for the slow timer to re-check, and a student who
      // finished and ended the lab at once kept it unfinished (first-container's last step: 5/6).
      this.loadStored(sessionId);
      const checkPassed = this.lastStatus.get(`${sessionId}/${index}`)?.status === 'passed';
      if (step.checks.length === 0 || checkPassed) {
        if (!progress.completed.includes(index)) progress.completed.push(index);
        this.saveCompleted(row, lab, progress);
      } else this.save(row, progress);
    } else this.save(row, progress);
    return { ok: true, correct, correctChoices: correct ? wanted : undefined, explanationHtml: correct ? quiz.explanationHtml : undefined };
  }
}
