import type { EventBus } from '../events';
import type { SessionRow, Store } from '../store/database';
import { ActiveTime, ACTIVE_GAP_MS } from './active-time';
import type { StepStore } from './step-store';

/** Typing shows on the grid (and counts as a moment of active time) at most this often per session. */
export const TYPING_EVERY_MS = 15_000;

/** What the live service tells the recorder beyond the bus. */
export interface StepRecorder {
  /**
   * The student typed in a terminal of this session. Cheap on every
   * keystroke; returns true at most once per TYPING_EVERY_MS, when the
   * typing should show on the grid.
   */
  typed(sessionId: string): boolean;
  /** When the student last typed in this session, as last shown (see `typed`). */
  typedAt(sessionId: string): number | undefined;
}

/** Runs the student set off; 'timer' re-runs in the background, 'test' is `berth lab test`. */
const BY_STUDENT = new Set(['button', 'prompt']);

/**
 * Turns the domain events Berth already emits into step history. It only
 * listens: the progress service saves progress first and announces after,
 * so what is recorded here always follows a change already on disk.
 */
export function recordStepHistory(
  bus: EventBus,
  sessionOf: (sessionId: string) => SessionRow | undefined,
  store: Pick<Store, 'getProgress'>,
  steps: StepStore,
  now: () => number = Date.now,
  activeGapMs = ACTIVE_GAP_MS,
): StepRecorder {
  const active = new ActiveTime(steps, activeGapMs);
  /** Last input per session, every keystroke: tells a repeated try from a new one. */
  const inputAt = new Map<string, number>();
  /** Last typing shown per session, throttled. */
  const shownAt = new Map<string, number>();

  const moment = (row: SessionRow, at: number, step = store.getProgress(row.studentId, row.labId).currentStep) => {
    if (row.state === 'running') active.moment(row.id, row.studentId, row.labId, step, at);
  };

  bus.on('progress', ({ sessionId, studentId, progress }) => {
    const at = now();
    const row = sessionId ? sessionOf(sessionId) : undefined;
    // First: the time up to now belongs to the step before this save passed it.
    if (row && row.studentId === studentId && row.labId === progress.labId) moment(row, at, progress.currentStep);
    steps.reached(studentId, progress.labId, progress.currentStep, at);
    for (const index of progress.completed) steps.passed(studentId, progress.labId, index, at);
    for (const [index, count] of Object.entries(progress.hintsRevealed)) steps.hintsOpen(studentId, progress.labId, Number(index), count);
  });

  bus.on('check', (e) => {
    // Runs that could not start (no duration) say nothing about the student's work.
    if ((e.status !== 'passed' && e.status !== 'failed') || e.durationMs === undefined) return;
    const row = sessionOf(e.sessionId);
    if (!row) return;
    const at = now();
    const byStudent = BY_STUDENT.has(e.trigger);
    if (byStudent) moment(row, at);
    steps.checkRun(row.studentId, row.labId, e.step, { status: e.status, feedback: e.feedback ?? null, byStudent, lastInputAt: inputAt.get(e.sessionId) ?? null }, at);
  });

  bus.on('quiz', (e) => {
    const at = now();
    inputAt.set(e.sessionId, at);
    steps.answered(e.studentId, e.labId, e.step, e.quizId, { choices: e.choices, correct: e.correct }, at);
    if (!e.correct) steps.wrongAnswer(e.studentId, e.labId, e.step, e.quizId, at);
  });

  // The first step is reached when the machines are up, before any progress is saved.
  bus.on('status', (e) => {
    if (e.state !== 'running') {
      active.stop(e.sessionId);
      return;
    }
    const row = sessionOf(e.sessionId);
    if (!row) return;
    const at = now();
    const step = store.getProgress(row.studentId, row.labId).currentStep;
    steps.reached(row.studentId, row.labId, step, at);
    // A new run of moments: whatever came before the lab (re)started is not time on the step.
    active.stop(e.sessionId);
    active.moment(row.id, row.studentId, row.labId, step, at);
  });

  const forget = ({ sessionId }: { sessionId: string }) => {
    active.stop(sessionId);
    inputAt.delete(sessionId);
    shownAt.delete(sessionId);
  };
  bus.on('ended', forget);
  bus.on('machinesDown', ({ sessionId }) => active.stop(sessionId));

  bus.on('progressReset', ({ studentId, labId }) => steps.restartLab(studentId, labId));

  return {
    typed(sessionId) {
      const at = now();
      inputAt.set(sessionId, at);
      const shown = shownAt.get(sessionId);
      if (shown !== undefined && at - shown < TYPING_EVERY_MS) return false;
      shownAt.set(sessionId, at);
      const row = sessionOf(sessionId);
      if (row) moment(row, at);
      return true;
    },
    typedAt: (sessionId) => shownAt.get(sessionId),
  };
}
