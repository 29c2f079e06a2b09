import { join, sessionObjects, startBerth, startLab, type Berth, type Student } from './harness';

/**
 * The sweep that enforces time: idle labs pause (machines stopped, disks
 * kept), labs past their time limit end and leave nothing behind. The sweep is
 * driven with a clock in the future instead of waiting for real minutes.
 */
jest.setTimeout(120_000);

let berth: Berth;
let ada: Student;
let bob: Student;

beforeAll(async () => {
  berth = await startBerth('ct-time', { BERTH_IDLE_MINUTES: '30', BERTH_SESSION_MINUTES: '120', BERTH_MAX_SESSIONS: '5' });
  ada = await join(berth.url, 'Ada');
  bob = await join(berth.url, 'Bob');
});

afterAll(async () => {
  await berth?.dispose();
});

test('a lab nobody typed in for longer than the idle limit is paused, keeping its machine and disk', async () => {
  const id = await startLab(berth, ada, 'hello');
  const sessions = berth.server.ctx.sessions;
  await sessions.sweep(Date.now() + 10 * 60_000);
  expect(sessions.get(id)?.state).toBe('running');
  await sessions.sweep(Date.now() + 31 * 60_000);
  expect(sessions.get(id)?.state).toBe('paused');
  const objects = await sessionObjects(berth.instance, id);
  expect(objects.containers).toHaveLength(1);
  expect(objects.volumes).toHaveLength(1);
  await sessions.stop(id);
});

test('extending moves the time limit; past it a lab ends with a message and leaves nothing behind', async () => {
  const id = await startLab(berth, bob, 'shell-only');
  const sessions = berth.server.ctx.sessions;
  const limit = sessions.get(id)!.expiresAt;
  const extended = sessions.extend(id);
  expect(extended.expiresAt).toBe(limit + 30 * 60_000);
  // Past the old limit, before the new one: not ended (only paused, since nobody typed for two hours).
  await sessions.sweep(limit + 60_000);
  expect(sessions.get(id)?.state).toBe('paused');
  // Past the new limit a paused lab ends too.
  await sessions.sweep(extended.expiresAt + 1);
  const row = sessions.get(id)!;
  expect(row.state).toBe('ended');
  expect(row.error).toMatch(/Time is up/);
  expect(await sessionObjects(berth.instance, id)).toEqual({ containers: [], networks: [], volumes: [] });
});
