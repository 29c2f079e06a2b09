import type { ClassGridView, GridCell, GridRow } from '../../../server/contracts/classroom';
import {
  cellGlyph,
  DEFAULT_RULES,
  describeCell,
  formatAgo,
  formatDuration,
  matchesGridFilter,
  mergePatches,
  rowFacts,
  sortRows,
  summaryLines,
} from '../../../client/src/logic/grid';

const MIN = 60_000;
const NOW = 1_700_000_000_000;

function cell(state: GridCell['state'], extra: Partial<GridCell> = {}): GridCell {
  return { state, attempts: 0, hints: 0, solutionViewed: false, ...extra };
}

function row(p: Partial<GridRow> & { studentId: string }): GridRow {
  return {
    name: p.studentId,
    admitted: true,
    session: { id: `s-${p.studentId}`, labId: 'a', state: 'running', machines: ['docker'], terminals: ['docker'] },
    cells: { a: [cell('not_reached'), cell('not_reached')], b: [cell('not_reached')] },
    current: null,
    lastActivityAt: NOW,
    finishedLabs: [],
    takeover: false,
    ...p,
  };
}

const summary = { students: 0, started: 0, finished: 0, atStep: {}, medianStepMs: {} };

function grid(rows: GridRow[], at = 100): ClassGridView {
  return {
    classId: 'c1',
    labs: [
      { id: 'a', title: 'Lab A', steps: [{ index: 0, title: 'One', checked: true }, { index: 1, title: 'Two', checked: true }] },
      { id: 'b', title: 'Lab B', steps: [{ index: 0, title: 'Only', checked: false }] },
    ],
    rows,
    summary,
    at,
  };
}

describe('mergePatches', () => {
  test('replaces rows by student id, keeps the order and appends newcomers', () => {
    const g = grid([row({ studentId: 'x' }), row({ studentId: 'y' })]);
    const y2 = row({ studentId: 'y', name: 'Yann' });
    const z = row({ studentId: 'z' });
    const out = mergePatches(g, [{ classId: 'c1', rows: [y2, z], summary: { ...summary, students: 3 }, at: 200 }]);
    expect(out.rows.map((r) => r.studentId)).toEqual(['x', 'y', 'z']);
    expect(out.rows[1]!.name).toBe('Yann');
    expect(out.summary.students).toBe(3);
    expect(out.at).toBe(200);
    expect(g.rows[1]!.name).toBe('y'); // the snapshot is not mutated
  });

  test('the later of two patches for one student wins', () => {
    const g = grid([row({ studentId: 'x' })]);
    const out = mergePatches(g, [
      { classId: 'c1', rows: [row({ studentId: 'x', name: 'first' })], summary, at: 150 },
      { classId: 'c1', rows: [row({ studentId: 'x', name: 'second' })], summary, at: 160 },
    ]);
    expect(out.rows).toHaveLength(1);
    expect(out.rows[0]!.name).toBe('second');
  });

  test('patches older than the snapshot or for another class are skipped', () => {
    const g = grid([row({ studentId: 'x' })], 500);
    const out = mergePatches(g, [
      { classId: 'c1', rows: [row({ studentId: 'x', name: 'old' })], summary, at: 400 },
      { classId: 'other', rows: [row({ studentId: 'x', name: 'foreign' })], summary, at: 600 },
    ]);
    expect(out).toBe(g);
  });
});

describe('rowFacts', () => {
  const labs = ['a', 'b'];
  test('counts done and marked cells over every lab', () => {
    const r = row({ studentId: 'x', cells: { a: [cell('done'), cell('marked')], b: [cell('current')] } });
    const f = rowFacts(r, labs, NOW);
    expect(f.done).toBe(2);
    expect(f.total).toBe(3);
  });

  test('stuck after stuckMinutes on one open step, not before', () => {
    const cells = { a: [cell('done'), cell('current')], b: [cell('not_reached')] };
    const early = rowFacts(row({ studentId: 'x', cells, current: { labId: 'a', step: 1, since: NOW - 9 * MIN } }), labs, NOW);
    expect(early.stuck).toBe(false);
    expect(early.onStepMs).toBe(9 * MIN);
    const late = rowFacts(row({ studentId: 'x', cells, current: { labId: 'a', step: 1, since: NOW - 10 * MIN } }), labs, NOW);
    expect(late.stuck).toBe(true);
    expect(late.stuckWhy).toBe('on this step for 10m 00s');
  });

  test('stuck when failing the same check failRuns times', () => {
    const mk = (attempts: number) =>
      row({ studentId: 'x', cells: { a: [cell('failing', { attempts, lastFail: 'FAIL: no file' }), cell('not_reached')], b: [] }, current: { labId: 'a', step: 0, since: NOW - MIN } });
    expect(rowFacts(mk(2), labs, NOW).stuck).toBe(false);
    expect(rowFacts(mk(2), labs, NOW).failing).toBe(true);
    const f = rowFacts(mk(3), labs, NOW);
    expect(f.stuck).toBe(true);
    expect(f.stuckWhy).toBe('failed this step 3 times');
  });

  test('a passed current step is not stuck however long it sits', () => {
    const r = row({ studentId: 'x', cells: { a: [cell('done'), cell('not_reached')], b: [] }, current: { labId: 'a', step: 0, since: NOW - 60 * MIN } });
    expect(rowFacts(r, labs, NOW).stuck).toBe(false);
  });

  test('idle only with a lab open and no activity for idleMinutes', () => {
    expect(rowFacts(row({ studentId: 'x', lastActivityAt: NOW - 4 * MIN }), labs, NOW).idle).toBe(false);
    expect(rowFacts(row({ studentId: 'x', lastActivityAt: NOW - 5 * MIN }), labs, NOW).idle).toBe(true);
    expect(rowFacts(row({ studentId: 'x', lastActivityAt: NOW - 50 * MIN, session: null }), labs, NOW).idle).toBe(false);
  });

  test('finished means every lab of the class finished', () => {
    expect(rowFacts(row({ studentId: 'x', finishedLabs: ['a'] }), labs, NOW).finished).toBe(false);
    const f = rowFacts(row({ studentId: 'x', finishedLabs: ['b', 'a'], lastActivityAt: 0 }), labs, NOW);
    expect(f.finished).toBe(true);
    expect(f.idle).toBe(false);
  });
});

describe('filters and sorting', () => {
  const labs = ['a', 'b'];
  const ann = row({ studentId: '1', name: 'Ann', cells: { a: [cell('done'), cell('done')], b: [cell('done')] }, finishedLabs: ['a', 'b'] });
  const bob = row({
    studentId: '2',
    name: 'Bob',
    cells: { a: [cell('failing', { attempts: 4 }), cell('not_reached')], b: [cell('not_reached')] },
    current: { labId: 'a', step: 0, since: NOW - 2 * MIN },
    lastActivityAt: NOW - 30 * MIN,
  });
  const cy = row({ studentId: '3', name: 'Cy', current: null, session: null, lastActivityAt: null });
  const all = [bob, cy, ann].map((r) => ({ row: r, facts: rowFacts(r, labs, NOW) }));
  const names = (xs: typeof all) => xs.map((x) => x.row.name);

  test('each filter keeps exactly its students', () => {
    const pick = (f: Parameters<typeof matchesGridFilter>[2], q = '') => names(all.filter((x) => matchesGridFilter(x.row, x.facts, f, q)));
    expect(pick('all')).toEqual(['Bob', 'Cy', 'Ann']);
    expect(pick('stuck')).toEqual(['Bob']);
    expect(pick('failing')).toEqual(['Bob']);
    expect(pick('idle')).toEqual(['Bob']);
    expect(pick('finished')).toEqual(['Ann']);
    expect(pick('not_started')).toEqual(['Cy']);
    expect(pick('all', 'an')).toEqual(['Ann']);
  });

  test('sorts', () => {
    expect(names(sortRows(all, 'name'))).toEqual(['Ann', 'Bob', 'Cy']);
    expect(names(sortRows(all, 'progress'))).toEqual(['Bob', 'Cy', 'Ann']);
    expect(names(sortRows(all, 'on_step'))[0]).toBe('Bob');
    expect(names(sortRows(all, 'activity'))).toEqual(['Cy', 'Bob', 'Ann']);
    expect(names(sortRows(all, 'state'))).toEqual(['Ann', 'Bob', 'Cy']);
  });
});

describe('words', () => {
  test('durations and ages', () => {
    expect(formatDuration(null)).toBe('–');
    expect(formatDuration(45_000)).toBe('45s');
    expect(formatDuration(260_000)).toBe('4m 20s');
    expect(formatDuration(65 * MIN)).toBe('1h 05m');
    expect(formatAgo(null, NOW)).toBe('never');
    expect(formatAgo(NOW - 10_000, NOW)).toBe('just now');
    expect(formatAgo(NOW - 3 * MIN, NOW)).toBe('3 min ago');
    expect(formatAgo(NOW - 125 * MIN, NOW)).toBe('2 h ago');
  });

  test('a cell says its state, attempts, hints and last failure in words', () => {
    expect(describeCell('Bob', 'Lab A', 0, 'One', cell('failing', { attempts: 2, hints: 1, solutionViewed: true, lastFail: 'FAIL: hello.txt missing' }))).toBe(
      'Bob, Lab A step 1 (One): check failing, 2 failed tries, 1 hint, solution viewed. Last failure: FAIL: hello.txt missing',
    );
    expect(describeCell('Bob', 'Lab A', 1, 'Two', undefined)).toBe('Bob, Lab A step 2 (Two): not reached');
    expect(cellGlyph(cell('done'))).toBe('✓');
    expect(cellGlyph(cell('failing'))).toBe('✗');
    expect(cellGlyph(undefined)).toBe('');
  });

  test('summary lines', () => {
    const g = grid([]);
    const lines = summaryLines({ students: 4, started: 3, finished: 1, atStep: { a: [2, 1] }, medianStepMs: { a: [90_000, null] } }, g.labs);
    expect(lines).toEqual([
      { label: 'Students', value: '4' },
      { label: 'Started', value: '3 of 4' },
      { label: 'Finished', value: '1 of 4' },
      { label: 'Lab A: students at each step (median time)', value: '1: 2 (1m 30s) · 2: 1' },
      { label: 'Lab B: students at each step (median time)', value: '1: 0' },
    ]);
  });
});

test('DEFAULT_RULES are the documented ones', () => {
  expect(DEFAULT_RULES).toEqual({ stuckMinutes: 10, failRuns: 3, idleMinutes: 5 });
});
