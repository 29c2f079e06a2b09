/**
 * Contract: capacity and clean-up. With room for one running lab, a second
 * student is queued with a clear message and starts when the first ends; and a
 * session's containers, network and volume exist exactly while it lives.
 */
import type { SessionStatusEvent } from '../../server/contracts/protocol';
import { api, ask, connect, dockerObjects, join, removeInstanceObjects, sessionObjects, startBerth, waitFor, waitState, type Berth, type ClientSocket, type Student } from './harness';

let berth: Berth;
let ada: Student;
let bob: Student;
let adaSession: string;
let bobSession: string;
let bobSocket: ClientSocket;
const bobStatus: SessionStatusEvent[] = [];

beforeAll(async () => {
  berth = await startBerth('ct-life', { BERTH_MAX_SESSIONS: '1' });
  ada = await join(berth.url, 'Ada');
  bob = await join(berth.url, 'Bob');
  bobSocket = await connect(berth.url, bob.cookie);
  bobSocket.on('session:status', (e) => bobStatus.push(e));
}, 60_000);

afterAll(async () => {
  bobSocket?.close();
  const instance = berth?.instance;
  await berth?.dispose();
  if (instance) {
    const left = await dockerObjects(instance);
    await removeInstanceObjects(instance);
    // Stopping the server with removeSessions leaves nothing of this instance behind.
    expect(left).toEqual({ containers: [], networks: [], volumes: [] });
  }
}, 90_000);

test('a lab with Docker inside gets its own container, network and volume, all labelled', async () => {
  const r = await api(berth.url, 'POST', '/api/sessions', { cookie: ada.cookie, body: { labId: 'hello' } });
  expect(r.status).toBe(200);
  expect(r.json.session.queuePosition).toBeUndefined();
  adaSession = r.json.session.id;
  await waitState(berth, adaSession, 'running', 120_000);
  const objects = await sessionObjects(berth.instance, adaSession);
  expect(objects.containers).toEqual([`/berth-${berth.instance}-${adaSession}-docker`]);
  expect(objects.networks).toEqual([`berth-${berth.instance}-${adaSession}`]);
  expect(objects.volumes).toEqual([`berth-${berth.instance}-${adaSession}-docker-docker`]);
  // The session label is on every object, so listing by label finds the same set.
  expect(await dockerObjects(berth.instance, adaSession)).toEqual(objects);
}, 150_000);

test('at capacity, a second student is queued with position 1 and a message, never a hang', async () => {
  const r = await api(berth.url, 'POST', '/api/sessions', { cookie: bob.cookie, body: { labId: 'shell-only' } });
  // The answer came while the only place is still taken: the request did not wait for it.
  expect(berth.server.ctx.sessions.get(adaSession)?.state).toBe('running');
  expect(r.status).toBe(200);
  expect(r.json.session.state).toBe('queued');
  expect(r.json.session.queuePosition).toBe(1);
  expect(r.json.session.detail).toMatch(/full right now.*number 1 in line/);
  bobSession = r.json.session.id;
  expect(await ask(bobSocket, 'session:watch', { sessionId: bobSession })).toEqual({ ok: true });
  // Still queued a moment later, and nothing was created for it.
  const view = await api(berth.url, 'GET', `/api/sessions/${bobSession}`, { cookie: bob.cookie });
  expect(view.json.session).toMatchObject({ state: 'queued', queuePosition: 1 });
  expect(await sessionObjects(berth.instance, bobSession)).toEqual({ containers: [], networks: [], volumes: [] });
  expect(await ask(bobSocket, 'terminal:attach', { sessionId: bobSession, machine: 'box', terminalId: 'box', from: 0, cols: 80, rows: 24 })).toEqual({
    ok: false,
    error: 'Your lab machines are not running.',
    code: 'conflict',
  });
});

test('when the first lab ends its objects are gone, and the queued lab starts by itself', async () => {
  const stop = await api(berth.url, 'POST', `/api/sessions/${adaSession}/stop`, { cookie: ada.cookie, body: {} });
  expect(stop.status).toBe(200);
  expect(stop.json.session.state).toBe('ended');
  expect(await sessionObjects(berth.instance, adaSession)).toEqual({ containers: [], networks: [], volumes: [] });
  expect(await dockerObjects(berth.instance, adaSession)).toEqual({ containers: [], networks: [], volumes: [] });

  await waitState(berth, bobSession, 'running', 60_000);
  await waitFor('a running status for Bob', () => bobStatus.find((e) => e.sessionId === bobSession && e.state === 'running'));
  expect(bobStatus.map((e) => e.state)).toContain('starting');
  expect(bobStatus.find((e) => e.state === 'running')?.queuePosition).toBeUndefined();
}, 90_000);

test('the queued lab runs and stopping it leaves nothing either', async () => {
  expect((await sessionObjects(berth.instance, bobSession)).containers).toHaveLength(1);
  const stop = await api(berth.url, 'POST', `/api/sessions/${bobSession}/stop`, { cookie: bob.cookie, body: {} });
  expect(stop.json.session.state).toBe('ended');
  expect(await dockerObjects(berth.instance)).toEqual({ containers: [], networks: [], volumes: [] });
}, 60_000);

test('a queued lab that is stopped before it starts leaves the queue', async () => {
  const r1 = await api(berth.url, 'POST', '/api/sessions', { cookie: ada.cookie, body: { labId: 'shell-only' } });
  await waitState(berth, r1.json.session.id, 'running', 60_000);
  const r2 = await api(berth.url, 'POST', '/api/sessions', { cookie: bob.cookie, body: { labId: 'shell-only' } });
  expect(r2.json.session).toMatchObject({ state: 'queued', queuePosition: 1 });
  const stop = await api(berth.url, 'POST', `/api/sessions/${r2.json.session.id}/stop`, { cookie: bob.cookie, body: {} });
  expect(stop.json.session.state).toBe('ended');
  expect(berth.server.ctx.sessions.queuePosition(r2.json.session.id)).toBeUndefined();
  await api(berth.url, 'POST', `/api/sessions/${r1.json.session.id}/stop`, { cookie: ada.cookie, body: {} });
  expect(berth.server.ctx.sessions.get(r2.json.session.id)?.state).toBe('ended');
  expect(await dockerObjects(berth.instance)).toEqual({ containers: [], networks: [], volumes: [] });
}, 90_000);
