import type { LabSummaryView } from '../../../server/contracts/protocol';
import {
  allDifficulties,
  allTags,
  clampSplit,
  describeTimeLeft,
  formatTimeLeft,
  groupCatalog,
  labStatus,
  matchesFilter,
  missingPrereqs,
  typedCommand,
} from '../../../client/src/logic/format';

function lab(p: Partial<LabSummaryView> & { id: string }): LabSummaryView {
  return {
    title: p.id,
    summary: '',
    difficulty: 'beginner',
    minutes: 10,
    tags: [],
    prerequisites: [],
    section: null,
    order: 0,
    stepCount: 3,
    completedSteps: 0,
    finished: false,
    activeSessionId: null,
    ...p,
  };
}

const none = { query: '', difficulty: '', tag: '', status: '' as const };

describe('time left', () => {
  test('formats minutes and hours', () => {
    expect(formatTimeLeft(65_000)).toBe('1:05');
    expect(formatTimeLeft(3_723_000)).toBe('1:02:03');
    expect(formatTimeLeft(-5)).toBe('0:00');
    expect(describeTimeLeft(61_000)).toBe('2 minutes left');
    expect(describeTimeLeft(30_000)).toBe('1 minute left');
    expect(describeTimeLeft(0)).toBe('time is up');
  });
});

describe('catalog', () => {
  const labs = [
    lab({ id: 'first-container', title: 'Your first container', tags: ['basics'], completedSteps: 1 }),
    lab({ id: 'volumes', title: 'Volumes', difficulty: 'intermediate', tags: ['storage'], prerequisites: ['first-container'] }),
    lab({ id: 'swarm', title: 'Swarm', difficulty: 'advanced', tags: ['orchestration'], finished: true, order: 2 }),
    lab({ id: 'extra', title: 'Extra', order: 1 }),
  ];
  const course = { title: 'Docker', sections: [{ title: 'Foundations', labs: ['first-container', 'volumes', 'missing'] }, { title: 'Scale', labs: ['swarm'] }] };

  test('groups labs in course order; unlisted labs come last', () => {
    const g = groupCatalog(labs, course, none);
    expect(g.map((s) => s.title)).toEqual(['Foundations', 'Scale', 'More labs']);
    expect(g[0]!.labs.map((l) => l.id)).toEqual(['first-container', 'volumes']);
    expect(g[2]!.labs.map((l) => l.id)).toEqual(['extra']);
  });

  test('without a course every lab is listed by order', () => {
    const g = groupCatalog(labs, null, none);
    expect(g).toHaveLength(1);
    expect(g[0]!.labs.map((l) => l.id)).toEqual(['volumes', 'first-container', 'extra', 'swarm']);
  });

  test('search matches every word in title, summary, tags', () => {
    expect(matchesFilter(labs[0]!, { ...none, query: 'FIRST basics' })).toBe(true);
    expect(matchesFilter(labs[0]!, { ...none, query: 'first storage' })).toBe(false);
    expect(groupCatalog(labs, course, { ...none, query: 'storage' }).flatMap((s) => s.labs.map((l) => l.id))).toEqual(['volumes']);
  });

  test('filters by level, topic and progress', () => {
    expect(groupCatalog(labs, course, { ...none, difficulty: 'advanced' })[0]!.labs[0]!.id).toBe('swarm');
    expect(groupCatalog(labs, course, { ...none, tag: 'basics' })[0]!.labs[0]!.id).toBe('first-container');
    expect(groupCatalog(labs, course, { ...none, status: 'started' }).flatMap((s) => s.labs.map((l) => l.id))).toEqual(['first-container']);
    expect(labStatus(labs[2]!)).toBe('finished');
    expect(labStatus(lab({ id: 'x', activeSessionId: 's1' }))).toBe('started');
  });

  test('tags, levels and missing prerequisites', () => {
    expect(allTags(labs)).toEqual(['basics', 'orchestration', 'storage']);
    expect(allDifficulties(labs)).toEqual(['beginner', 'intermediate', 'advanced']);
    expect(missingPrereqs(labs[1]!, labs)).toEqual([{ id: 'first-container', title: 'Your first container' }]);
  });
});

describe('run blocks', () => {
  test('a command is typed with Enter; paste mode leaves it for the student', () => {
    expect(typedCommand('docker ps', 'run')).toBe('docker ps\r');
    expect(typedCommand('docker ps\n', 'paste')).toBe('docker ps');
    expect(typedCommand('a \\\r\n  b\n', 'run')).toBe('a \\\r  b\r');
  });

  test('split ratio stays usable', () => {
    expect(clampSplit(0.05)).toBe(0.2);
    expect(clampSplit(0.95)).toBe(0.8);
    expect(clampSplit(Number.NaN)).toBe(0.4);
  });
});
