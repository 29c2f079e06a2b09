import path from 'node:path';
import type { LabBackend } from '../../../server/backend/lab-backend';
import { ClassService } from '../../../server/classroom/classes';
import { defaultPrewarmCap, PrewarmScheduler } from '../../../server/classroom/prewarm';
import { EventBus, type BerthEvents } from '../../../server/events';
import { loadConfig } from '../../../server/config';
import { LabCatalog } from '../../../server/labs/catalog';
import { Store } from '../../../server/store/database';

const LABS = path.join(__dirname, '..', '..', 'fixtures', 'runtime-labs');
const GB = 1024 ** 3;

/** A warm pool as the scheduler sees it: BERTH_WARM_POOL machines plus the extra asked for; `ready` set by the test. */
class PoolStub {
  extra = 0;
  ready = 0;
  constructor(readonly base: number) {}
  backend(): LabBackend {
    return {
      prewarm: async (extra: number) => {
        this.extra = extra;
        return { ready: this.ready, target: this.base + extra };
      },
      poolStats: () => ({ ready: this.ready, target: this.base + this.extra }),
    } as unknown as LabBackend;
  }
}

function setup(env: Record<string, string>, base: number, hostMemory = 16 * GB) {
  const config = loadConfig({ BERTH_WARM_POOL: String(base), ...env });
  const store = new Store(':memory:');
  const catalog = new LabCatalog(LABS);
  const classes = new ClassService(store, store.classroom, catalog);
  store.classroom.addInstructor({ id: 'i1', login: 'i1', name: 'I', role: 'owner', passwordHash: 'x', createdAt: 0 });
  const pool = new PoolStub(base);
  const scheduler = new PrewarmScheduler(config, store, store.classroom, classes, catalog, pool.backend(), hostMemory);
  const soon = (name: string, seats: number) =>
    classes.create({ id: 'i1', role: 'owner' }, { name, labs: ['hello'], seats, startsAt: Date.now() + 5 * 60_000, endsAt: null, limits: { maxRunning: null, sessionMinutes: null, idleMinutes: null }, allowRejoinByName: false }).id;
  return { config, store, scheduler, pool, soon };
}

describe('scheduled pre-warm', () => {
  test('without BERTH_PREWARM_MAX the cap comes from the host: memory and BERTH_MAX_SESSIONS, not a fixed 10', () => {
    expect(loadConfig({}).classroom.prewarmMax).toBeNull();
    expect(loadConfig({ BERTH_PREWARM_MAX: '4' }).classroom.prewarmMax).toBe(4);
    const config = loadConfig({ BERTH_MAX_SESSIONS: '30' });
    expect(defaultPrewarmCap(config, 1, 16 * GB)).toBe(30);
    expect(defaultPrewarmCap(config, 2, 64 * GB)).toBe(60);
    expect(defaultPrewarmCap(config, 1, 4 * GB)).toBe(8);
    expect(defaultPrewarmCap(loadConfig({ BERTH_MAX_SESSIONS: '12' }), 1, 64 * GB)).toBe(12);
  });

  test('a 30-seat class gets warm machines for all its seats by default', async () => {
    const { scheduler, pool, soon, store } = setup({ BERTH_MAX_SESSIONS: '30' }, 2);
    const id = soon('Nine o’clock', 30);
    await scheduler.tick();
    expect(pool.extra).toBe(30);
    expect(scheduler.status(id)).toEqual({ target: 30, ready: 0 });
    store.close();
  });

  test("'ready' counts this class's machines only: not the base pool's, and never one machine for two classes", async () => {
    const { scheduler, pool, soon, store } = setup({ BERTH_MAX_SESSIONS: '30' }, 2);
    const a = soon('A', 3);
    const b = soon('B', 2);
    await scheduler.tick();
    expect(pool.extra).toBe(5);
    pool.ready = 2; // only BERTH_WARM_POOL's two so far
    expect([scheduler.status(a), scheduler.status(b)]).toEqual([{ target: 3, ready: 0 }, { target: 2, ready: 0 }]);
    // Three of ours ready: shared out, class by class (the order grants were made in), never counted twice.
    pool.ready = 5;
    const [ra, rb] = [scheduler.status(a)!.ready, scheduler.status(b)!.ready];
    expect(ra + rb).toBe(3);
    expect(ra === 3 || rb === 2).toBe(true);
    pool.ready = 7;
    expect([scheduler.status(a), scheduler.status(b)]).toEqual([{ target: 3, ready: 3 }, { target: 2, ready: 2 }]);
    store.close();
  });
});

describe('scheduled pre-warm follows the class starting', () => {
  test('each start lowers the extra target at once, not at the next tick, and only after the start took its machine', async () => {
    const { scheduler, pool, soon, store } = setup({ BERTH_MAX_SESSIONS: '30' }, 0);
    const classId = soon('Nine o’clock', 3);
    await scheduler.tick();
    expect(pool.extra).toBe(3);
    const bus = new EventBus();
    scheduler.followStarts(bus);
    const start = (name: string) => {
      store.classroom.addStudent(name, name, classId, Date.now());
      store.insertSession({ id: `s-${name}`, studentId: name, labId: 'hello', state: 'starting', backendState: null, createdAt: 0, expiresAt: Date.now() + 60_000, lastActivityAt: 0, extensions: 0, error: null, endedAt: null });
      bus.emit('status', { sessionId: `s-${name}`, state: 'starting', studentId: name } as BerthEvents['status'][0]);
    };
    const turns = async (n: number) => {
      for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
    };
    start('ada');
    // Not in the turn of the event: in it, the start claims its waiting machine.
    expect(pool.extra).toBe(3);
    await turns(2);
    expect(pool.extra).toBe(2);
    // Two at once.
    start('bob');
    start('cy');
    await turns(6);
    expect(pool.extra).toBe(0);
    store.close();
  });

  test('a seat counts as taken while its student has a live lab: once however many, and again free when it ends', async () => {
    const { scheduler, pool, soon, store } = setup({ BERTH_MAX_SESSIONS: '30' }, 0);
    const classId = soon('Ten o’clock', 3);
    const other = soon('Elsewhere', 1);
    const session = (id: string, studentId: string, state: 'starting' | 'running' | 'ended' | 'failed') =>
      store.insertSession({ id, studentId, labId: 'hello', state, backendState: null, createdAt: 0, expiresAt: Date.now() + 60_000, lastActivityAt: 0, extensions: 0, error: null, endedAt: null });
    store.classroom.addStudent('ada', 'Ada', classId, Date.now());
    store.classroom.addStudent('bob', 'Bob', classId, Date.now());
    store.classroom.addStudent('zed', 'Zed', other, Date.now());
    session('a1', 'ada', 'running');
    session('a2', 'ada', 'starting');
    session('b1', 'bob', 'failed');
    session('z1', 'zed', 'running');
    await scheduler.tick();
    // Ten o'clock: 3 seats, Ada's one of them (twice over), Bob's failed lab holds none; Elsewhere: its one seat taken.
    expect(pool.extra).toBe(2);
    store.updateSession('a1', { state: 'ended' });
    store.updateSession('a2', { state: 'ended' });
    await scheduler.tick();
    expect(pool.extra).toBe(3);
    store.close();
  });
});
