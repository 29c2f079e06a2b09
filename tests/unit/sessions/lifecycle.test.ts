import { EngineStuck } from '../../../server/backend/lab-backend';
import { FailingStartBackend, NeverStartsBackend, SlowStartBackend } from '../../../server/backend/fake-backend';
import { SessionError, stateOf, WARM_START_SLOTS } from '../../../server/sessions/session-manager';
import { log } from '../../../server/log';
import { started, student, world, type World } from './fake-world';

/** The session state machine on the fake backend: queue, capacity, start failures, stop during start, reset. */
describe('session lifecycle', () => {
  let w: World;
  afterEach(async () => w.close());

  test('beyond BERTH_MAX_SESSIONS students queue with their place, and start in order as places free up', async () => {
    w = world({ env: { BERTH_MAX_SESSIONS: '1' } });
    const [ada, bob, cy] = [student(w, 'Ada'), student(w, 'Bob'), student(w, 'Cy')];
    const a = await started(w, ada, 'hello');
    const b = await w.sessions.start(bob, 'hello');
    const c = await w.sessions.start(cy, 'hello');
    expect(w.sessions.get(a)?.state).toBe('running');
    expect([b.session.state, b.queuePosition]).toEqual(['queued', 1]);
    expect([c.session.state, c.queuePosition]).toEqual(['queued', 2]);
    expect(w.sessions.detail(c.session.id)).toMatch(/number 2 in line/);
    await w.sessions.stop(a);
    await w.sessions.settled(b.session.id);
    expect(w.sessions.get(b.session.id)?.state).toBe('running');
    expect(w.sessions.queuePosition(c.session.id)).toBe(1);
    expect(w.backend.sessions.size).toBe(1);
  });

  test('one lab per student: a second lab is refused with a conflict naming the open one; the same lab returns the same session', async () => {
    w = world();
    const ada = student(w);
    const a = await started(w, ada, 'hello');
    expect((await w.sessions.start(ada, 'hello')).session.id).toBe(a);
    const refused = await w.sessions.start(ada, 'step-setup').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(SessionError);
    expect((refused as SessionError).code).toBe('conflict');
    expect((refused as SessionError).extra).toEqual({ activeSessionId: a });
  });

  test('an unknown lab is not_found', async () => {
    w = world();
    const err = await w.sessions.start(student(w), 'no-such-lab').catch((e: unknown) => e);
    expect((err as SessionError).code).toBe('not_found');
  });

  test('a start that fails marks the session failed with the reason, leaves nothing in the engine, and frees the place', async () => {
    w = world({ backend: new FailingStartBackend(), env: { BERTH_MAX_SESSIONS: '1' } });
    const [ada, bob] = [student(w), student(w)];
    const a = await started(w, ada, 'hello');
    const row = w.sessions.get(a)!;
    expect(row.state).toBe('failed');
    // The engine's own words stay in the server log; the student reads that it failed and what to do.
    expect(row.error).toMatch(/could not start \(Something went wrong on the Berth server/);
    expect(row.error).not.toMatch(/engine refused/);
    expect(w.backend.sessions.size).toBe(0);
    expect((await w.sessions.start(bob, 'hello')).queuePosition).toBeUndefined();
  });

  test('stop during a start: the machines made meanwhile are removed and the session ends', async () => {
    const backend = new SlowStartBackend();
    w = world({ backend });
    const { session } = await w.sessions.start(student(w), 'hello');
    expect(w.sessions.get(session.id)?.state).toBe('starting');
    expect(backend.waiting.has(session.id)).toBe(true);
    const stopping = w.sessions.stop(session.id);
    expect(w.sessions.get(session.id)?.state).toBe('stopping');
    backend.release();
    const ended = await stopping;
    expect(ended.state).toBe('ended');
    expect(backend.sessions.size).toBe(0);
  });

  test('a start the warm pool serves whole does not wait behind the cold starts that hold the engine', async () => {
    const backend = new SlowStartBackend();
    w = world({ backend, env: { BERTH_START_CONCURRENCY: '1' } });
    const cold = await w.sessions.start(student(w), 'hello');
    expect(backend.waiting.has(cold.session.id)).toBe(true); // holds the one start slot
    const queuedCold = await w.sessions.start(student(w), 'hello');
    expect(backend.waiting.has(queuedCold.session.id)).toBe(false); // waits for the slot
    backend.pool = 1; // a machine is waiting now
    const warm = await w.sessions.start(student(w), 'hello');
    expect(backend.waiting.has(warm.session.id)).toBe(true); // went straight to the engine
    expect(backend.poolTaken).toBe(1);
    backend.release();
    for (const s of [cold, queuedCold, warm]) await w.sessions.settled(s.session.id);
    for (const s of [cold, queuedCold, warm]) expect(w.sessions.get(s.session.id)?.state).toBe('running');
    expect(backend.poolTaken).toBe(1); // the claimed machine was not counted twice
  });

  test('warm starts go a few at a time (one per core), in the order the students pressed Start', async () => {
    const backend = new SlowStartBackend();
    w = world({ backend, env: { BERTH_MAX_SESSIONS: '30' } });
    backend.pool = WARM_START_SLOTS + 2;
    const starts = [];
    for (let i = 0; i < WARM_START_SLOTS + 2; i++) starts.push(await w.sessions.start(student(w), 'hello'));
    await new Promise((r) => setImmediate(r));
    // Every machine was claimed at once; only the first ones are being started.
    expect(backend.poolTaken).toBe(WARM_START_SLOTS + 2);
    expect([...backend.waiting]).toEqual(starts.slice(0, WARM_START_SLOTS).map((s) => s.session.id));
    backend.release();
    for (const s of starts) await w.sessions.settled(s.session.id);
    for (const s of starts) expect(w.sessions.get(s.session.id)?.state).toBe('running');
  });

  test('a start that never finishes holds its place: the next student queues', async () => {
    w = world({ backend: new NeverStartsBackend(), env: { BERTH_MAX_SESSIONS: '1' } });
    const a = await w.sessions.start(student(w), 'hello');
    const b = await w.sessions.start(student(w), 'hello');
    expect(w.sessions.get(a.session.id)?.state).toBe('starting');
    expect(b.queuePosition).toBe(1);
    // Shutdown ends the hung start, as stopping the engine would.
    await w.backend.shutdown();
    await w.sessions.settled(a.session.id);
    expect(w.sessions.get(a.session.id)?.state).toBe('failed');
  });

  test('reset: the old machines go, progress starts over, a new session starts with fresh step setup', async () => {
    w = world();
    const ada = student(w);
    const a = await started(w, ada, 'step-setup');
    const p = w.store.getProgress(ada, 'step-setup');
    p.completed.push(0);
    p.currentStep = 1;
    w.store.saveProgress(ada, p);
    const { session } = await w.sessions.reset(a);
    await w.sessions.settled(session.id);
    expect(session.id).not.toBe(a);
    expect(w.sessions.get(a)?.state).toBe('ended');
    expect(w.sessions.get(session.id)?.state).toBe('running');
    expect(w.store.getProgress(ada, 'step-setup')).toMatchObject({ currentStep: 0, completed: [] });
    expect([...w.backend.sessions.keys()]).toEqual([session.id]);
    expect(w.stepSetup.enteredSteps(a)).toEqual([]);
    expect(w.stepSetup.enteredSteps(session.id)).toEqual([0]);
  });

  test('pause keeps the machines, resume wakes them; resume when full is refused as unavailable', async () => {
    w = world({ env: { BERTH_MAX_SESSIONS: '1' } });
    const [ada, bob] = [student(w), student(w)];
    const a = await started(w, ada, 'hello');
    await w.sessions.pause(a);
    expect(w.sessions.get(a)?.state).toBe('paused');
    expect(await w.backend.poll(stateOf(w.sessions.get(a)!)!)).toBe('paused');
    const b = await started(w, bob, 'hello');
    expect(w.sessions.get(b)?.state).toBe('running');
    const full = await w.sessions.resume(a).catch((e: unknown) => e);
    expect((full as SessionError).code).toBe('unavailable');
    await w.sessions.stop(b);
    await w.sessions.resume(a);
    await w.sessions.settled(a);
    expect(w.sessions.get(a)?.state).toBe('running');
    expect(await w.backend.poll(stateOf(w.sessions.get(a)!)!)).toBe('running');
  });

  test('a resume the engine fails is logged with its cause, ends failed, and leaves no step-setup record', async () => {
    w = world();
    const id = await started(w, student(w), 'step-setup');
    expect(w.stepSetup.enteredSteps(id)).toEqual([0]);
    await w.sessions.pause(id);
    w.backend.kill(stateOf(w.sessions.get(id)!)!, 'box');
    const logged: Array<{ fields: unknown; msg: unknown }> = [];
    const logger = { error: (fields: unknown, msg: unknown) => logged.push({ fields, msg }), warn: () => undefined } as unknown as ReturnType<typeof log.child>;
    const child = jest.spyOn(log, 'child').mockReturnValue(logger);
    try {
      await w.sessions.resume(id);
      await w.sessions.settled(id);
    } finally {
      child.mockRestore();
    }
    expect(w.sessions.get(id)).toMatchObject({ state: 'failed', error: expect.stringMatching(/^Your lab could not be resumed/) });
    expect(logged).toEqual([{ fields: { err: 'machine box is not available: it no longer exists' }, msg: 'resume failed' }]);
    expect(w.stepSetup.enteredSteps(id)).toEqual([]);
  });

  test('a resume the engine does not answer in time keeps the machines and the lab paused, says why, and can be tried again', async () => {
    w = world();
    const id = await started(w, student(w), 'hello');
    await w.sessions.pause(id);
    const paused = stateOf(w.sessions.get(id)!)!;
    const resume = jest.spyOn(w.backend, 'resume').mockRejectedValueOnce(new EngineStuck(150, 'waking box'));
    const child = jest.spyOn(log, 'child').mockReturnValue({ error: () => undefined, warn: () => undefined } as unknown as ReturnType<typeof log.child>);
    try {
      await w.sessions.resume(id);
      await w.sessions.settled(id);
    } finally {
      child.mockRestore();
    }
    expect(w.sessions.get(id)).toMatchObject({ state: 'paused', endedAt: null });
    expect(w.sessions.detail(id)).toMatch(/^Your lab could not be woken \(.*within 150 s, while waking box.*\)\. Your files are kept/);
    expect(await w.backend.poll(paused)).toBe('paused');
    resume.mockRestore();
    await w.sessions.resume(id);
    await w.sessions.settled(id);
    expect(w.sessions.get(id)).toMatchObject({ state: 'running' });
  });

  test('extensions: as many as allowed, then a conflict', async () => {
    w = world({ env: { BERTH_MAX_EXTENSIONS: '1' } });
    const a = await started(w, student(w), 'hello');
    const before = w.sessions.get(a)!.expiresAt;
    expect(w.sessions.extend(a).expiresAt).toBeGreaterThan(before);
    expect(() => w.sessions.extend(a)).toThrow(/cannot be extended/);
  });
});
