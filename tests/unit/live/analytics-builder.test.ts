import { buildAnalytics, quantile, spread, topFails } from '../../../server/live/analytics-builder';
import { LAB, record } from './fixtures';

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

test('per step: time spread of passes, funnel and failing checks', () => {
  const records = [
    record({ studentId: 'a', step: 0, reachedAt: 0, firstPassedAt: 1_000 }),
    record({ studentId: 'b', step: 0, reachedAt: 0, firstPassedAt: 3_000 }),
    record({ studentId: 'c', step: 0, reachedAt: 0, markedAt: 50 }),
    record({ studentId: 'a', step: 1, reachedAt: 1_000 }),
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
  expect(s1).toMatchObject({ timeMs: null, reached: 1, passed: 0, failedRuns: 1, topFails: [] });
  expect(s2).toMatchObject({ reached: 0, passed: 0, failedRuns: 0 });
});
