import { FakeBackend, MachineDiesBackend } from '../../../server/backend/fake-backend';
import { readState, StateMismatch } from '../../../server/backend/lab-backend';
import { stateOf } from '../../../server/sessions/session-manager';
import { started, student, world, type World } from './fake-world';

const MINUTE = 60_000;

describe('reconcile after a restart', () => {
  let w: World;
  afterEach(async () => w.close());

  test('running and paused sessions are re-adopted; a session whose machines vanished fails; orphans are removed', async () => {
    w = world();
    const [ada, bob, cy] = [student(w), student(w), student(w)];
    const a = await started(w, ada, 'hello');
    const b = await started(w, bob, 'hello');
    const c = await started(w, cy, 'hello');
    await w.sessions.pause(b);
    w.backend.sessions.delete(c); // machines removed behind Berth's back
    w.backend.sessions.set('orphan000000', { network: true, machines: new Map() });
    w = w.restart();
    const result = await w.sessions.reconcile();
    expect(result.adopted.sort()).toEqual([a, b].sort());
    expect(result.failed).toEqual([c]);
    expect(result.removed).toBe(1);
    expect(w.sessions.get(a)?.state).toBe('running');
    expect(w.sessions.get(b)?.state).toBe('paused');
    expect(w.sessions.get(c)?.state).toBe('failed');
    expect(w.sessions.get(c)?.error).toMatch(/Berth restarted/);
    expect([...w.backend.sessions.keys()].sort()).toEqual([a, b].sort());
  });

  test('a stop the restart interrupted is finished', async () => {
    w = world();
    const a = await started(w, student(w), 'hello');
    w.store.updateSession(a, { state: 'stopping' });
    w = w.restart();
    await w.sessions.reconcile();
    expect(w.sessions.get(a)?.state).toBe('ended');
    expect(w.backend.sessions.size).toBe(0);
  });

  test('queued sessions are queued again and start when there is room', async () => {
    w = world({ env: { BERTH_MAX_SESSIONS: '1' } });
    const a = await started(w, student(w), 'hello');
    const b = (await w.sessions.start(student(w), 'hello')).session.id;
    await w.sessions.stop(a);
    await w.sessions.settled(b);
    w.store.updateSession(b, { state: 'queued' });
    w = w.restart();
    await w.sessions.reconcile();
    await w.sessions.settled(b);
    expect(w.sessions.get(b)?.state).toBe('running');
  });

  test('a row whose state belongs to another backend is not misread: the session fails and Berth goes on', async () => {
    w = world();
    const a = await started(w, student(w), 'hello');
    w.store.updateSession(a, { backendState: { backend: 'docker', sessionId: a, network: 'n', machines: [] } });
    w = w.restart();
    const result = await w.sessions.reconcile();
    expect(result.failed).toEqual([a]);
  });

  test('a machine that dies mid-lab: the check reports it could not run, and the backend reports the session gone', async () => {
    const backend = new MachineDiesBackend(1);
    w = world({ backend });
    const a = await started(w, student(w), 'hello');
    await w.progress.runCheck(a, 0, 'button');
    const event = await w.progress.runCheck(a, 0, 'button');
    expect(event?.status).toBe('failed');
    expect(event?.feedback).toMatch(/could not run: machine docker is not available/);
    expect(await backend.poll(stateOf(w.sessions.get(a)!)!)).toBe('gone');
  });
});

describe('stored backend state', () => {
  test('a Docker row stored by the current release (no version) is read; another tag or a newer version is refused', () => {
    const current = { backend: 'docker', sessionId: 'abc', network: 'berth-x-abc', machines: [] };
    expect(readState(current, 'docker', 1)).toBe(current);
    expect(() => readState(current, 'fake', 1)).toThrow(StateMismatch);
    expect(() => readState({ ...current, v: 2 }, 'docker', 1)).toThrow(StateMismatch);
    expect(() => readState(null, 'docker', 1)).toThrow(StateMismatch);
  });

  test('the fake refuses a state that is not its own', async () => {
    const fake = new FakeBackend();
    await expect(fake.poll({ backend: 'docker' })).rejects.toThrow(StateMismatch);
  });
});

describe('sweep', () => {
  let w: World;
  afterEach(async () => w.close());

  test('no typing for BERTH_IDLE_MINUTES pauses a running lab; typing keeps it', async () => {
    w = world({ env: { BERTH_IDLE_MINUTES: '30' } });
    const [ada, bob] = [student(w), student(w)];
    const a = await started(w, ada, 'hello');
    const b = await started(w, bob, 'hello');
    const later = Date.now() + 31 * MINUTE;
    w.store.updateSession(b, { lastActivityAt: later - MINUTE });
    await w.sessions.sweep(later);
    expect(w.sessions.get(a)?.state).toBe('paused');
    expect(w.sessions.get(b)?.state).toBe('running');
  });

  test('the time limit ends a running lab and says so; progress is kept', async () => {
    w = world({ env: { BERTH_SESSION_MINUTES: '60', BERTH_IDLE_MINUTES: '0' } });
    const ada = student(w);
    const a = await started(w, ada, 'hello');
    await w.sessions.sweep(Date.now() + 61 * MINUTE);
    expect(w.sessions.get(a)?.state).toBe('ended');
    expect(w.sessions.get(a)?.error).toMatch(/Time is up/);
    expect(w.backend.sessions.size).toBe(0);
  });

  test('a paused lab is removed after BERTH_PAUSED_RETENTION_HOURS, or once past its time limit', async () => {
    w = world({ env: { BERTH_PAUSED_RETENTION_HOURS: '1', BERTH_SESSION_MINUTES: '600' } });
    const [ada, bob] = [student(w), student(w)];
    const a = await started(w, ada, 'hello');
    const b = await started(w, bob, 'hello');
    await w.sessions.pause(a);
    await w.sessions.pause(b);
    w.store.updateSession(b, { expiresAt: Date.now() - 1 });
    await w.sessions.sweep(Date.now());
    expect(w.sessions.get(b)?.state).toBe('ended');
    expect(w.sessions.get(a)?.state).toBe('paused');
    await w.sessions.sweep(Date.now() + 61 * MINUTE);
    expect(w.sessions.get(a)?.state).toBe('ended');
  });
});
