import { RESULT_LAB_COLUMNS, RESULT_STEP_COLUMNS } from '../../../server/contracts/classroom';
import { isoUtc, labResults, stepResults, timeOnStep } from '../../../server/live/results-builder';
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
    record({ studentId: 'ada1', step: 0, reachedAt: T0, firstPassedAt: T0 + 90_400, failedRuns: 2, lastStatus: 'passed' }),
    record({ studentId: 'ada1', step: 1, reachedAt: T0 + 90_400, failedRuns: 1, lastStatus: 'failed', lastFail: 'no' }),
  ],
});
const bob = student({
  id: 'bob1',
  name: '=cmd()',
  progress: [progress({ currentStep: 2, completed: [0, 1, 2], startedAt: T0, finishedAt: T0 + 600_000 })],
  steps: [
    record({ studentId: 'bob1', step: 0, reachedAt: T0, markedAt: T0 + 30_000, markedBy: 'i1', markedByName: 'Grace', markedReason: 'broken VM' }),
    record({ studentId: 'bob1', step: 1, reachedAt: T0 + 30_000, firstPassedAt: T0 + 60_000 }),
    record({ studentId: 'bob1', step: 2, reachedAt: T0 + 60_000, firstPassedAt: T0 + 60_000 }),
  ],
});
const now = T0 + 120_000;

test('ISO 8601 UTC to the second', () => {
  expect(isoUtc(Date.UTC(2026, 0, 2, 3, 4, 5, 678))).toBe('2026-01-02T03:04:05Z');
  expect(isoUtc(null)).toBeNull();
});

test('time on step runs to the pass, the mark, or now; null when never reached', () => {
  expect(timeOnStep(ada, LAB.id, 0, now)).toBe(90);
  expect(timeOnStep(ada, LAB.id, 1, now)).toBe(30);
  expect(timeOnStep(ada, LAB.id, 2, now)).toBeNull();
  expect(timeOnStep(bob, LAB.id, 0, now)).toBe(30);
});

test('one row per student × lab × step with every column', () => {
  const rows = stepResults([ada, bob], [LAB], now);
  expect(rows).toHaveLength(6);
  for (const r of rows) expect(Object.keys(r)).toEqual([...RESULT_STEP_COLUMNS]);
  expect(rows[0]).toEqual({
    student: 'Ada', student_id: 'ada1', lab: 'lab-a', step: 1, step_title: 'First', status: 'passed',
    first_passed_at: '2026-11-29T08:01:30Z', attempts: 2, hints_revealed: 0, solution_viewed: false,
    quiz_answers: '', quiz_correct: 0, time_on_step_s: 90, marked_by: null, marked_reason: null,
  });
  expect(rows[1]).toMatchObject({ step: 2, status: 'failing', attempts: 1, hints_revealed: 1, solution_viewed: true, quiz_answers: 'q1=1,3:true;q2=2:false', quiz_correct: 1, time_on_step_s: 30 });
  expect(rows[2]).toMatchObject({ step: 3, status: 'not_reached', first_passed_at: null, time_on_step_s: null });
  expect(rows[3]).toMatchObject({ student: '=cmd()', step: 1, status: 'marked', first_passed_at: null, marked_by: 'Grace', marked_reason: 'broken VM', time_on_step_s: 30 });
  expect(rows[4]).toMatchObject({ step: 2, status: 'passed', marked_by: null });
});

test('one row per student × lab', () => {
  const rows = labResults([ada, bob, student({ id: 'cy', name: 'Cy' })], [LAB], now);
  for (const r of rows) expect(Object.keys(r)).toEqual([...RESULT_LAB_COLUMNS]);
  expect(rows).toEqual([
    { student: 'Ada', student_id: 'ada1', lab: 'lab-a', percent_complete: 33, steps_done: 1, steps_total: 3, started_at: '2026-11-29T08:00:00Z', finished_at: null, active_time_s: 120 },
    { student: '=cmd()', student_id: 'bob1', lab: 'lab-a', percent_complete: 100, steps_done: 3, steps_total: 3, started_at: '2026-11-29T08:00:00Z', finished_at: '2026-11-29T08:10:00Z', active_time_s: 60 },
    { student: 'Cy', student_id: 'cy', lab: 'lab-a', percent_complete: 0, steps_done: 0, steps_total: 3, started_at: null, finished_at: null, active_time_s: 0 },
  ]);
});
