import { buildCell, buildGrid, buildRow, buildSummary } from '../../../server/live/grid-builder';
import { median } from '../../../server/live/facts';
import { LAB, progress, record, student } from './fixtures';

describe('grid cells', () => {
  test('a lab never opened is not reached everywhere', () => {
    const row = buildRow(student(), [LAB]);
    expect(row.cells[LAB.id].map((c) => c.state)).toEqual(['not_reached', 'not_reached', 'not_reached']);
    expect(row.current).toBeNull();
    expect(row.lastActivityAt).toBeNull();
  });

  test('a running session with no saved progress is on step 1', () => {
    const s = student({ session: { id: 'sess1', labId: LAB.id, state: 'running', createdAt: 500, lastActivityAt: 700 }, terminals: ['node1'] });
    const row = buildRow(s, [LAB]);
    expect(row.cells[LAB.id][0].state).toBe('current');
    expect(row.current).toEqual({ labId: LAB.id, step: 0, since: 500 });
    expect(row.session).toEqual({ id: 'sess1', labId: LAB.id, state: 'running', machines: ['node1'], terminals: ['node1'] });
    expect(row.lastActivityAt).toBe(700);
  });

  test('done, failing with the last FAIL line, attempts, hints and solution', () => {
    const s = student({
      progress: [progress({ currentStep: 1, completed: [0], hintsRevealed: { 1: 2 }, solutionsRevealed: [1] })],
      steps: [
        record({ step: 0, reachedAt: 1_000, firstPassedAt: 61_000, failedRuns: 2, lastStatus: 'passed' }),
        record({ step: 1, reachedAt: 61_000, failedRuns: 3, lastStatus: 'failed', lastFail: 'nginx is not running', lastCheckAt: 90_000 }),
      ],
    });
    const [a, b, c] = buildRow(s, [LAB]).cells[LAB.id];
    expect(a).toEqual({ state: 'done', attempts: 2, hints: 0, solutionViewed: false, reachedAt: 1_000, passedAt: 61_000 });
    expect(b).toEqual({ state: 'failing', lastFail: 'nginx is not running', attempts: 3, hints: 2, solutionViewed: true, reachedAt: 61_000 });
    expect(c.state).toBe('not_reached');
  });

  test('after a reset, steps reached only before it are not reached in the grid, and time on step counts from the new run', () => {
    const s = student({
      session: { id: 'sess1', labId: LAB.id, state: 'running', createdAt: 50_000, lastActivityAt: 50_000 },
      progress: [progress({ currentStep: 0, completed: [] })],
      steps: [
        record({ step: 0, reachedAt: 1_000, runReachedAt: 60_000, firstPassedAt: 5_000, failedRuns: 2 }),
        record({ step: 1, reachedAt: 5_000, runReachedAt: null, failedRuns: 1 }),
      ],
    });
    const row = buildRow(s, [LAB]);
    expect(row.cells[LAB.id].map((c) => c.state)).toEqual(['current', 'not_reached', 'not_reached']);
    expect(row.cells[LAB.id][1].attempts).toBe(1);
    expect(row.current).toEqual({ labId: LAB.id, step: 0, since: 60_000 });
  });

  test('last activity: typing and the student\'s own checks, never a background check', () => {
    const s = student({
      session: { id: 'sess1', labId: LAB.id, state: 'running', createdAt: 500, lastActivityAt: 700 },
      steps: [record({ step: 0, reachedAt: 600, lastCheckAt: 900 })],
    });
    expect(buildRow(s, [LAB]).lastActivityAt).toBe(900);
  });

  test('a step the instructor marked shows as marked, not done', () => {
    const s = student({
      progress: [progress({ currentStep: 0, completed: [0] })],
      steps: [record({ step: 0, markedAt: 5_000, markedBy: 'i1', markedByName: 'Grace', markedReason: 'machine broke' })],
    });
    expect(buildCell(s, LAB.id, 0).state).toBe('marked');
    expect(buildCell(s, LAB.id, 0).passedAt).toBeUndefined();
  });

  test('paused and resuming sessions map to the grid words; an ended one has no terminals and no current step', () => {
    const paused = buildRow(student({ session: { id: 'x', labId: LAB.id, state: 'resuming', createdAt: 1, lastActivityAt: 1 }, terminals: ['node1'] }), [LAB]);
    expect(paused.session?.state).toBe('starting');
    const ended = buildRow(student({ session: { id: 'x', labId: LAB.id, state: 'stopping', createdAt: 1, lastActivityAt: 1 }, terminals: ['node1'] }), [LAB]);
    expect(ended.session?.state).toBe('ended');
    expect(ended.session?.terminals).toEqual([]);
    expect(ended.current).toBeNull();
  });

  test('finished labs and takeover', () => {
    const row = buildRow(student({ progress: [progress({ currentStep: 2, completed: [0, 1, 2], finishedAt: 9_000 })], takeover: true }), [LAB]);
    expect(row.finishedLabs).toEqual([LAB.id]);
    expect(row.takeover).toBe(true);
  });
});

describe('class summary', () => {
  test('started, finished, at each step, median active time per step (passes only)', () => {
    // Wall times from reaching to passing differ (b took a two-hour break on step 1): the median is of active time.
    const a = student({
      id: 'a',
      progress: [progress({ currentStep: 2, completed: [0, 1, 2], finishedAt: 9_000 })],
      steps: [
        record({ studentId: 'a', step: 0, reachedAt: 0, firstPassedAt: 15_000, activeMs: 10_000 }),
        record({ studentId: 'a', step: 1, reachedAt: 15_000, firstPassedAt: 90_000, activeMs: 30_000 }),
      ],
    });
    const b = student({
      id: 'b',
      progress: [progress({ currentStep: 1, completed: [0] })],
      steps: [record({ studentId: 'b', step: 0, reachedAt: 0, firstPassedAt: 7_200_000, activeMs: 30_000 }), record({ studentId: 'b', step: 1, reachedAt: 7_200_000, activeMs: 600_000 })],
    });
    const c = student({
      id: 'c',
      progress: [progress({ currentStep: 0 })],
      steps: [record({ studentId: 'c', step: 0, reachedAt: 0, markedAt: 1, activeMs: 900_000 })],
    });
    const d = student({ id: 'd' });
    const grid = buildGrid('class1', [a, b, c, d], [LAB], 123);
    expect(grid.summary).toEqual({
      students: 4,
      started: 3,
      finished: 1,
      atStep: { [LAB.id]: [1, 1, 0] },
      medianStepMs: { [LAB.id]: [20_000, 30_000, null] },
    });
    expect(grid.labs).toEqual([{ id: LAB.id, title: 'Lab A', steps: [{ index: 0, title: 'First', checked: true }, { index: 1, title: 'Second', checked: true }, { index: 2, title: 'Third', checked: false }] }]);
    expect(grid.rows.map((r) => r.studentId)).toEqual(['a', 'b', 'c', 'd']);
    expect(grid.at).toBe(123);
  });

  test('at each step: a student who passed a step and has not moved on, or went back, counts once, at the step they are on', () => {
    const passedStaying = student({
      id: 'p',
      session: { id: 'sp', labId: LAB.id, state: 'running', createdAt: 0, lastActivityAt: 0 },
      progress: [progress({ currentStep: 0, completed: [0] })],
      steps: [record({ studentId: 'p', step: 0, firstPassedAt: 5_000 })],
    });
    const wentBack = student({
      id: 'w',
      progress: [progress({ currentStep: 0, completed: [] })],
      steps: [record({ studentId: 'w', step: 0 }), record({ studentId: 'w', step: 1, lastStatus: 'failed' })],
    });
    const grid = buildGrid('class1', [passedStaying, wentBack], [LAB], 1);
    expect(grid.summary.atStep).toEqual({ [LAB.id]: [2, 0, 0] });
  });

  test('a student in another lab counts only there', () => {
    const other = { ...LAB, id: 'lab-b' };
    const s = student({
      session: { id: 's', labId: 'lab-b', state: 'running', createdAt: 0, lastActivityAt: 0 },
      progress: [progress({ currentStep: 1, completed: [0] }), progress({ labId: 'lab-b', currentStep: 2, completed: [0, 1] })],
    });
    expect(buildGrid('c', [s], [LAB, other], 1).summary.atStep).toEqual({ [LAB.id]: [0, 0, 0], 'lab-b': [0, 0, 1] });
  });

  test('a class with no labs has nobody finished', () => {
    expect(buildSummary([buildRow(student(), [])], [], []).finished).toBe(0);
  });

  test('median of odd and even counts', () => {
    expect(median([])).toBeNull();
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
