import { boxPlot, funnel, niceMax, shorten, ticks, topFailingSteps } from '../../../client/src/logic/analytics';

const step = (index: number, p: Partial<Parameters<typeof funnel>[0][number]> = {}) => ({
  index,
  title: `Step ${index + 1}`,
  timeMs: null,
  reached: 0,
  passed: 0,
  failedRuns: 0,
  topFails: [],
  ...p,
});

test('niceMax rounds up to 1, 2 or 5 times a power of ten', () => {
  expect(niceMax(0)).toBe(60_000);
  expect(niceMax(7_000)).toBe(10_000);
  expect(niceMax(14_000)).toBe(20_000);
  expect(niceMax(45_000)).toBe(50_000);
  expect(niceMax(7 * 60_000)).toBe(10 * 60_000);
  expect(niceMax(11 * 60_000)).toBe(20 * 60_000);
});

test('ticks label the axis in seconds or minutes', () => {
  expect(ticks(20_000).map((t) => t.label)).toEqual(['0 s', '5 s', '10 s', '15 s', '20 s']);
  expect(ticks(10 * 60_000).map((t) => t.label)).toEqual(['0 min', '2.5 min', '5 min', '7.5 min', '10 min']);
  expect(ticks(1000).map((t) => t.label)).toEqual(['0 s', '0.25 s', '0.5 s', '0.75 s', '1 s']);
});

test('box plot positions are fractions of the shared axis; steps nobody passed have no box', () => {
  const g = boxPlot([step(0, { timeMs: { min: 1000, q1: 2000, median: 5000, q3: 8000, max: 10_000 } }), step(1)]);
  expect(g.max).toBe(10_000);
  expect(g.rows[0]!.box).toEqual({ min: 0.1, q1: 0.2, median: 0.5, q3: 0.8, max: 1 });
  expect(g.rows[1]!.box).toBeNull();
});

test('funnel shares are of the most students who reached any step', () => {
  const f = funnel([step(0, { reached: 10, passed: 8 }), step(1, { reached: 8, passed: 4 }), step(2, { reached: 4, passed: 0 })]);
  expect(f.map((b) => [b.reachedShare, b.passedShare])).toEqual([
    [1, 0.8],
    [0.8, 0.4],
    [0.4, 0],
  ]);
  expect(funnel([step(0)])[0]!.reachedShare).toBe(0);
});

test('top failing steps, worst first, only those that failed', () => {
  const top = topFailingSteps([step(0, { failedRuns: 2 }), step(1), step(2, { failedRuns: 9 }), step(3, { failedRuns: 2 })]);
  expect(top.map((s) => s.index)).toEqual([2, 0, 3]);
});

test('chart labels are shortened with an ellipsis', () => {
  expect(shorten('Check your understanding')).toBe('Check your understand…');
  expect(shorten('Short')).toBe('Short');
});
