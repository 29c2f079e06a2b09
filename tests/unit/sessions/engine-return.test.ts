import { ENGINE_RESTARTED_DETAIL, settleLabsAfterEngineReturn } from '../../../server/sessions/engine-return';
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
