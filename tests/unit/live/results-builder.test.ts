import { RESULT_LAB_COLUMNS, RESULT_STEP_COLUMNS } from '../../../server/contracts/classroom';
import { labResults, sheetUtc, stepResults, timeOnStep } from '../../../server/live/results-builder';
import { LAB, progress, record, student } from './fixtures';

const T0 = Date.UTC(2026, 10, 29, 8, 0, 0);

const ada = student({
  id: 'ada1',
  name: 'Ada',
  progress: [
    progress({
      currentStep: 1,
      completed: [0],
      hintsRevealed: { 1: 1 },
      solutionsRevealed: [1],
      quizAnswers: { q1: { choices: [0, 2], correct: true }, q2: { choices: [1], correct: false } },
      startedAt: T0,
    }),
  ],
  steps: [
    record({ studentId: 'ada1', step: 0, reachedAt: T0, firstPassedAt: T0 + 90_400, failedRuns: 2, lastStatus: 'passed', activeMs: 80_400 }),
    record({ studentId: 'ada1', step: 1, reachedAt: T0 + 90_400, failedRuns: 1, lastStatus: 'failed', lastFail: 'no', activeMs: 29_600 }),
  ],
});
const bob = student({
  id: 'bob1',
  name: '=cmd()',
  progress: [progress({ currentStep: 2, completed: [0, 1, 2], startedAt: T0, finishedAt: T0 + 600_000 })],
  steps: [
    record({ studentId: 'bob1', step: 0, reachedAt: T0, markedAt: T0 + 30_000, markedBy: 'i1', markedByName: 'Grace', markedReason: 'broken VM', activeMs: 30_000 }),
    record({ studentId: 'bob1', step: 1, reachedAt: T0 + 30_000, firstPassedAt: T0 + 60_000, activeMs: 30_000 }),
    record({ studentId: 'bob1', step: 2, reachedAt: T0 + 60_000, firstPassedAt: T0 + 60_000 }),
  ],
});
test('dates in UTC as spreadsheets read them, to the second', () => {
  expect(sheetUtc(Date.UTC(2026, 0, 2, 3, 4, 5, 678))).toBe('2026-01-02 03:04:05');
  expect(sheetUtc(null)).toBeNull();
});

test('time on step is the active time recorded on it, in whole seconds, whatever the wall clock says; null when never reached', () => {
  expect(timeOnStep(ada, LAB.id, 0)).toBe(80);
  expect(timeOnStep(ada, LAB.id, 1)).toBe(30);
  expect(timeOnStep(ada, LAB.id, 2)).toBeNull();
  expect(timeOnStep(bob, LAB.id, 0)).toBe(30);
  expect(timeOnStep(bob, LAB.id, 2)).toBe(0);
});

test('a reset lab keeps its results: passes and marks stay, the lab row counts them', () => {
  const reset = student({
    id: 'cy',
    progress: [progress({ currentStep: 0, completed: [], startedAt: T0 + 900_000 })],
    steps: [
      record({ studentId: 'cy', step: 0, reachedAt: T0, runReachedAt: T0 + 900_000, firstPassedAt: T0 + 60_000, failedRuns: 1, activeMs: 50_000 }),
      record({
        studentId: 'cy', step: 1, reachedAt: T0 + 60_000, runReachedAt: null, markedAt: T0 + 70_000, markedByName: 'Grace', markedReason: 'ok',
        hintsSeen: 1, quizAnswers: { q1: { choices: [1], correct: true } },
      }),
    ],
  });
  const rows = stepResults([reset], [LAB]);
  expect(rows.map((r) => [r.status, r.first_passed_at, r.attempts, r.time_on_step_s, r.marked_by, r.hints_revealed, r.quiz_answers])).toEqual([
    ['passed', '2026-11-29 08:01:00', 1, 50, null, 0, ''],
    ['marked', null, 0, 0, 'Grace', 1, 'q1=2:true'],
    ['not_reached', null, 0, null, null, 0, ''],
  ]);
  expect(labResults([reset], [LAB])[0]).toMatchObject({ steps_done: 2, percent_complete: 66, started_at: '2026-11-29 08:00:00', finished_at: null, active_time_s: 50 });
});

test('one row per student × lab × step with every column', () => {
  const rows = stepResults([ada, bob], [LAB]);
  expect(rows).toHaveLength(6);
  for (const r of rows) expect(Object.keys(r)).toEqual([...RESULT_STEP_COLUMNS]);
  expect(rows[0]).toEqual({
    student: 'Ada', student_id: 'ada1', lab: 'lab-a', step: 1, step_title: 'First', status: 'passed',
    first_passed_at: '2026-11-29 08:01:30', attempts: 2, hints_revealed: 0, solution_viewed: false,
    quiz_answers: '', quiz_correct: 0, time_on_step_s: 80, marked_by: null, marked_reason: null,
  });
  expect(rows[1]).toMatchObject({ step: 2, status: 'failing', attempts: 1, hints_revealed: 1, solution_viewed: true, quiz_answers: 'q1=1,3:true;q2=2:false', quiz_correct: 1, time_on_step_s: 30 });
  expect(rows[2]).toMatchObject({ step: 3, status: 'not_reached', first_passed_at: null, time_on_step_s: null });
  expect(rows[3]).toMatchObject({ student: '=cmd()', step: 1, status: 'marked', first_passed_at: null, marked_by: 'Grace', marked_reason: 'broken VM', time_on_step_s: 30 });
  expect(rows[4]).toMatchObject({ step: 2, status: 'passed', marked_by: null });
});

test('one row per student × lab', () => {
  const rows = labResults([ada, bob, student({ id: 'cy', name: 'Cy' })], [LAB]);
  for (const r of rows) expect(Object.keys(r)).toEqual([...RESULT_LAB_COLUMNS]);
  expect(rows).toEqual([
    { student: 'Ada', student_id: 'ada1', lab: 'lab-a', percent_complete: 33, steps_done: 1, steps_total: 3, started_at: '2026-11-29 08:00:00', finished_at: null, active_time_s: 110 },
    { student: '=cmd()', student_id: 'bob1', lab: 'lab-a', percent_complete: 100, steps_done: 3, steps_total: 3, started_at: '2026-11-29 08:00:00', finished_at: '2026-11-29 08:10:00', active_time_s: 60 },
    { student: 'Cy', student_id: 'cy', lab: 'lab-a', percent_complete: 0, steps_done: 0, steps_total: 3, started_at: null, finished_at: null, active_time_s: 0 },
  ]);
});
