import path from 'node:path';
import { ClassService } from '../../../server/classroom/classes';
import { ClassroomError } from '../../../server/classroom/errors';
import { JoinService, WRONG_CODE } from '../../../server/classroom/joining';
import { loadConfig } from '../../../server/config';
import { LabCatalog } from '../../../server/labs/catalog';
import { Store } from '../../../server/store/database';

const LABS = path.join(__dirname, '..', '..', 'fixtures', 'runtime-labs');

function setup(env: Record<string, string> = {}) {
  const config = loadConfig({ BERTH_JOIN_FAILURES: '3', ...env });
  const store = new Store(':memory:');
  const classes = new ClassService(store, store.classroom, new LabCatalog(LABS));
  const joins = new JoinService(config, store.classroom, classes);
  store.classroom.addInstructor({ id: 'i1', login: 'i1', name: 'I', role: 'owner', passwordHash: 'x', createdAt: 0 });
  const cls = classes.create({ id: 'i1', role: 'owner' }, { name: 'C', labs: ['hello'], seats: 2, startsAt: null, endsAt: null, limits: { maxRunning: null, sessionMinutes: null, idleMinutes: null }, allowRejoinByName: true });
  return { store, joins, classes, code: cls.joinCode.code! };
}

function refusal(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (err) {
    if (err instanceof ClassroomError) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('joining a class', () => {
  test('wrong codes are counted per address; right codes are not, so a class behind one NAT address all gets in', () => {
    const { joins, code, store } = setup({ BERTH_JOIN_FAILURES: '3' });
    for (let i = 0; i < 3; i++) expect(refusal(() => joins.join({ code: 'WRONG2', name: `x${i}` }, '10.0.0.9', null))).toEqual({ code: 'forbidden', message: WRONG_CODE });
    expect(refusal(() => joins.join({ code, name: 'Guesser' }, '10.0.0.9', null)).code).toBe('rate_limited');
    // Another address is not affected, and successful joins never use up the allowance.
    expect(joins.join({ code, name: 'Ann' }, '10.0.0.1', null).created).toBe(true);
    expect(joins.join({ code, name: 'Ann' }, '10.0.0.1', null).created).toBe(false); // allowRejoinByName
    store.close();
  });

  test('names: trimmed, length-checked, no markup, compared without case', () => {
    const { joins, code, store } = setup();
    expect(refusal(() => joins.join({ code, name: '   ' }, 'a', null))).toMatchObject({ code: 'invalid', message: expect.stringMatching(/^name:/) });
    expect(refusal(() => joins.join({ code, name: '<b>x</b>' }, 'a', null)).code).toBe('invalid');
    expect(refusal(() => joins.join({ code, name: 'x'.repeat(61) }, 'a', null)).code).toBe('invalid');
    const first = joins.join({ code, name: '  Zoë   Smith ' }, 'a', null);
    expect(first.student.name).toBe('Zoë Smith');
    expect(joins.join({ code, name: 'zoë smith' }, 'a', null).student.id).toBe(first.student.id);
    store.close();
  });

  test('open practice needs BERTH_OPEN_JOIN; without it a missing code is refused by field', () => {
    const closed = setup();
    expect(refusal(() => closed.joins.join({ name: 'Walk-in' }, 'a', null))).toMatchObject({ code: 'invalid', message: expect.stringMatching(/^code:/) });
    closed.store.close();
    const open = setup({ BERTH_OPEN_JOIN: 'true' });
    expect(open.joins.join({ name: 'Walk-in' }, 'a', null).student.classId).toBe('open-practice');
    open.store.close();
  });
});
