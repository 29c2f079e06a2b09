import type { EventBus } from '../events';
import type { SessionRow, Store } from '../store/database';
import type { StepStore } from './step-store';

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
): void {
  bus.on('progress', ({ studentId, progress }) => {
    const at = now();
    steps.reached(studentId, progress.labId, progress.currentStep, at);
    for (const index of progress.completed) steps.passed(studentId, progress.labId, index, at);
  });

  bus.on('check', (e) => {
    // Runs that could not start (no duration) say nothing about the student's work.
    if ((e.status !== 'passed' && e.status !== 'failed') || e.durationMs === undefined) return;
    const row = sessionOf(e.sessionId);
    if (!row) return;
    steps.checkRun(row.studentId, row.labId, e.step, e.status, e.feedback ?? null, now());
  });

  // The first step is reached when the machines are up, before any progress is saved.
  bus.on('status', (e) => {
    if (e.state !== 'running') return;
    const row = sessionOf(e.sessionId);
    if (!row) return;
    steps.reached(row.studentId, row.labId, store.getProgress(row.studentId, row.labId).currentStep, now());
  });

  bus.on('progressReset', ({ studentId, labId }) => steps.clearLab(studentId, labId));
}
