/** Small hand-made labs and students for the live view's pure builders. */
import type { ProgressView } from '../../../server/contracts/protocol';
import type { LabOutline, StudentFacts } from '../../../server/live/facts';
import type { StepRecord } from '../../../server/live/step-store';

export const LAB: LabOutline = {
  id: 'lab-a',
  title: 'Lab A',
  machines: ['node1'],
  steps: [
    { index: 0, title: 'First', checked: true, quizIds: [] },
    { index: 1, title: 'Second', checked: true, quizIds: ['q1', 'q2'] },
    { index: 2, title: 'Third', checked: false, quizIds: [] },
  ],
};

export function progress(p: Partial<ProgressView> = {}): ProgressView {
  return { labId: LAB.id, currentStep: 0, completed: [], hintsRevealed: {}, solutionsRevealed: [], quizAnswers: {}, startedAt: 1_000, finishedAt: null, ...p };
}

export function record(r: Partial<StepRecord> & { step: number }): StepRecord {
  return {
    studentId: 's1',
    labId: LAB.id,
    reachedAt: 1_000,
    firstPassedAt: null,
    failedRuns: 0,
    lastStatus: null,
    lastFail: null,
    lastCheckAt: null,
    markedBy: null,
    markedByName: null,
    markedReason: null,
    markedAt: null,
    activeMs: 0,
    hintsSeen: 0,
    quizAnswers: {},
    ...r,
    runReachedAt: r.runReachedAt === undefined ? (r.reachedAt ?? 1_000) : r.runReachedAt,
  };
}

export function student(f: Partial<StudentFacts> = {}): StudentFacts {
  return { id: 's1', name: 'Ada', admitted: true, session: null, terminals: [], progress: [], steps: [], takeover: false, ...f };
}
