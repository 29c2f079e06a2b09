import { buildAnalytics, quantile, spread, topFails } from '../../../server/live/analytics-builder';
import { buildGrid } from '../../../server/live/grid-builder';
import { stepResults } from '../../../server/live/results-builder';
import { LAB, progress, record, student } from './fixtures';

test('quartiles interpolate like a spreadsheet (QUARTILE.INC)', () => {
  expect(spread([])).toBeNull();
  expect(spread([5])).toEqual({ min: 5, q1: 5, median: 5, q3: 5, max: 5 });
  expect(spread([4, 1, 3, 2])).toEqual({ min: 1, q1: 1.75, median: 2.5, q3: 3.25, max: 4 });
  expect(quantile([10, 20, 30, 40, 50], 0.25)).toBe(20);
});

test('top failure lines, most common first, ties alphabetical, blanks ignored', () => {
  expect(topFails(['b', 'a', 'b', null, ' ', 'c', 'a', 'b'], 2)).toEqual([
    { line: 'b', count: 3 },
    { line: 'a', count: 2 },
  ]);
});

test('per step: spread of active time to pass, funnel and failing checks', () => {
  const records = [
    // Wall time from reaching to passing (an hour's break for b) is not what the box plot shows.
    record({ studentId: 'a', step: 0, reachedAt: 0, firstPassedAt: 60_000, activeMs: 1_000 }),
    record({ studentId: 'b', step: 0, reachedAt: 0, firstPassedAt: 3_600_000, activeMs: 3_000 }),
    record({ studentId: 'c', step: 0, reachedAt: 0, markedAt: 50, activeMs: 40_000 }),
    record({ studentId: 'a', step: 1, reachedAt: 1_000, activeMs: 7_000 }),
    record({ studentId: 'x', labId: 'other', step: 1, reachedAt: 0, firstPassedAt: 9 }),
  ];
  const failed = [
    { studentId: 'a', labId: LAB.id, step: 0, feedback: 'no file' },
    { studentId: 'b', labId: LAB.id, step: 0, feedback: 'no file' },
    { studentId: 'b', labId: LAB.id, step: 0, feedback: 'wrong owner' },
    { studentId: 'a', labId: LAB.id, step: 1, feedback: null },
  ];
  const view = buildAnalytics([LAB], records, failed);
  expect(view.labs).toHaveLength(1);
  const [s0, s1, s2] = view.labs[0].steps;
  expect(s0).toEqual({
    index: 0,
    title: 'First',
    timeMs: { min: 1_000, q1: 1_500, median: 2_000, q3: 2_500, max: 3_000 },
    reached: 3,
    passed: 2,
    failedRuns: 3,
    topFails: [
      { line: 'no file', count: 2 },
      { line: 'wrong owner', count: 1 },
    ],
  });
  // Not passed yet: its active time so far is not a time to pass.
  expect(s1).toMatchObject({ timeMs: null, reached: 1, passed: 0, failedRuns: 1, topFails: [] });
  expect(s2).toMatchObject({ reached: 0, passed: 0, failedRuns: 0 });
});

test("the box plot, the summary's median and the results' time_on_step_s are the same active time", () => {
  // Reached at 0, passed two hours later after 95.4 s of work.
  const ada = student({
    progress: [progress({ currentStep: 1, completed: [0] })],
    steps: [record({ step: 0, reachedAt: 0, firstPassedAt: 7_200_000, activeMs: 95_400 })],
  });
  const [row] = stepResults([ada], [LAB]);
  const box = buildAnalytics([LAB], ada.steps, []).labs[0].steps[0].timeMs;
  const summary = buildGrid('class1', [ada], [LAB], 1).summary.medianStepMs[LAB.id][0];
  expect(row.time_on_step_s).toBe(95);
  expect(box).toEqual({ min: 95_400, q1: 95_400, median: 95_400, q3: 95_400, max: 95_400 });
  expect(summary).toBe(95_400);
});
