import { SlowStartBackend } from '../../../server/backend/fake-backend';
import { ENGINE_RESTARTED_DETAIL, MACHINES_STOPPED_DETAIL, settleLabsAfterEngineReturn, watchRunningLabs } from '../../../server/sessions/stopped-machines';
import { stateOf } from '../../../server/sessions/session-manager';
import { started, student, world, type World } from './fake-world';

describe('the Docker engine answers again after it was gone', () => {
  let w: World;
  afterEach(async () => w.close());

  test('a running lab whose machines the restart stopped is called paused, with why, and resumes; one whose machines are gone is ended; the rest is untouched', async () => {
    w = world();
    const [ada, bob, cy, dee] = [student(w, 'Ada'), student(w, 'Bob'), student(w, 'Cy'), student(w, 'Dee')];
    const untouched = await started(w, ada, 'hello');
    const stopped = await started(w, bob, 'hello');
    const wiped = await started(w, cy, 'hello');
    const paused = await started(w, dee, 'hello');
    await w.sessions.pause(paused);
    // What the engine's restart did behind Berth's back: machines stopped (no restart policy), or removed.
    w.backend.machine(stateOf(w.sessions.get(stopped)!)!, 'docker').running = false;
    w.backend.sessions.delete(wiped);

    const touched = await settleLabsAfterEngineReturn(w.sessions, w.store, w.backend);

    expect(touched.sort()).toEqual([stopped, wiped].sort());
    expect(w.sessions.get(untouched)?.state).toBe('running');
    expect(w.sessions.get(stopped)?.state).toBe('paused');
    expect(w.sessions.detail(stopped)).toBe(ENGINE_RESTARTED_DETAIL);
    expect(w.sessions.get(wiped)?.state).toBe('ended');
    expect(w.sessions.get(paused)?.state).toBe('paused');
    await w.sessions.resume(stopped);
    await w.sessions.settled(stopped);
    expect(w.sessions.get(stopped)?.state).toBe('running');
  });
});

describe('machines that stop while the engine stays up', () => {
  let w: World;
  let unwatch: (() => void) | undefined;
  afterEach(async () => {
    unwatch?.();
    await w.close();
  });

  test('a running lab whose machine was stopped behind Berth\'s back (by hand, or a pause a restart cut short) is called paused within one look, and resumes', async () => {
    w = world();
    const ada = await started(w, student(w, 'Ada'), 'hello');
    const bob = await started(w, student(w, 'Bob'), 'hello');
    let answering = false;
    unwatch = watchRunningLabs(w.sessions, w.store, w.backend, () => answering, 20);
    w.backend.machine(stateOf(w.sessions.get(bob)!)!, 'docker').running = false;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(w.sessions.get(bob)?.state).toBe('running'); // the engine is away: not this watch's business
    answering = true;
    for (let waited = 0; w.sessions.get(bob)?.state !== 'paused'; waited += 10) {
      if (waited > 2000) throw new Error('the stopped lab was not called paused');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(w.sessions.detail(bob)).toBe(MACHINES_STOPPED_DETAIL);
    expect(w.sessions.get(ada)?.state).toBe('running');
    await w.sessions.resume(bob);
    await w.sessions.settled(bob);
    expect(w.sessions.get(bob)?.state).toBe('running');
  });

  test('a lab whose start or resume is under way is left to finish', async () => {
    const backend = new SlowStartBackend();
    w = world({ backend });
    const { session } = await w.sessions.start(student(w), 'hello');
    expect(w.sessions.busy(session.id)).toBe(true);
    // Its row is not running yet, and it is busy: nothing to settle whatever the machines say.
    expect(await settleLabsAfterEngineReturn(w.sessions, w.store, w.backend)).toEqual([]);
    backend.release();
    await w.sessions.settled(session.id);
    expect(w.sessions.busy(session.id)).toBe(false);
    expect(w.sessions.get(session.id)?.state).toBe('running');
  });
});

describe('why a lab was paused outlives Berth', () => {
  let w: World;
  afterEach(async () => w.close());

  test('a paused lab still says why after a restart of Berth, a lab the restart finds stopped says so, and a resume clears it', async () => {
    w = world();
    const diskFull = 'Your lab was paused: its machines use 9 GiB.';
    const ada = await started(w, student(w, 'Ada'), 'hello');
    const bob = await started(w, student(w, 'Bob'), 'hello');
    await w.sessions.pause(ada, diskFull);
    // Bob's pause was cut short by the restart: the store still says running, the machines have stopped.
    w.backend.machine(stateOf(w.sessions.get(bob)!)!, 'docker').running = false;

    w = w.restart();
    await w.sessions.reconcile();

    expect(w.sessions.get(ada)?.state).toBe('paused');
    expect(w.sessions.detail(ada)).toBe(diskFull);
    expect(w.sessions.statusOf(w.sessions.get(ada)!).detail).toBe(diskFull);
    expect(w.sessions.get(bob)?.state).toBe('paused');
    expect(w.sessions.detail(bob)).toBe(MACHINES_STOPPED_DETAIL);
    await w.sessions.resume(ada);
    await w.sessions.settled(ada);
    expect(w.sessions.get(ada)?.state).toBe('running');
    expect(w.sessions.detail(ada)).toBeUndefined();
    expect(w.store.getSession(ada)?.pausedBecause).toBeNull();
  });
});
