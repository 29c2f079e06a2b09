/**
 * Contract: scheduled pre-warm. A class starting within the lead time gets
 * warm machines for the seats of its first lab, bounded by BERTH_PREWARM_MAX;
 * the class page reports target and ready; once the start moves away, the
 * extra machines are removed. One pool machine, real engine.
 */
import type { DockerBackend } from '../../server/docker/docker-backend';
import { api, createClass, dockerObjects, removeInstanceObjects, setupInstructor, startBerth, waitFor, type Berth, type InstructorLogin } from './harness';

let berth: Berth;
let owner: InstructorLogin;

beforeAll(async () => {
  berth = await startBerth('ct-prewarm', { BERTH_WARM_POOL: '0', BERTH_PREWARM_MAX: '1', BERTH_PREWARM_LEAD_MINUTES: '10' });
  owner = await setupInstructor(berth);
}, 60_000);

afterAll(async () => {
  await berth?.dispose();
  // dispose leaves pool machines for a restart to re-adopt; this test's instance is done with them.
  const left = await dockerObjects(berth.instance);
  expect(left).toEqual({ containers: [], networks: expect.any(Array), volumes: [] });
  await removeInstanceObjects(berth.instance);
}, 120_000);

test('a class about to start gets warm machines (within BERTH_PREWARM_MAX); moving the start gives them back', async () => {
  const ctx = berth.server.ctx;
  const backend = ctx.backend as DockerBackend;
  const later = await createClass(berth.url, owner.cookie, { name: 'Tomorrow', labs: ['hello'], seats: 3, startsAt: Date.now() + 24 * 3600_000 });
  expect(later.prewarm).toEqual({ target: 0, ready: 0 });
  const cls = await createClass(berth.url, owner.cookie, { name: 'Nine o\'clock', labs: ['hello'], seats: 3, startsAt: Date.now() + 5 * 60_000 });
  await ctx.classroom.prewarm!.tick();
  // Three seats want three machines; BERTH_PREWARM_MAX allows one.
  expect(backend.poolStats().target).toBe(1);
  await waitFor('a warm machine', () => backend.poolStats().ready === 1, 90_000, 250);
  const view = await api(berth.url, 'GET', `/api/instructor/classes/${cls.id}`, { cookie: owner.cookie });
  expect(view.json.class.prewarm).toEqual({ target: 1, ready: 1 });
  expect((await dockerObjects(berth.instance)).containers).toHaveLength(1);

  const moved = await api(berth.url, 'PATCH', `/api/instructor/classes/${cls.id}`, { cookie: owner.cookie, body: { startsAt: Date.now() + 48 * 3600_000 } });
  expect(moved.status).toBe(200);
  await ctx.classroom.prewarm!.tick();
  expect(backend.poolStats()).toEqual({ ready: 0, target: 0 });
  await waitFor('the warm machine to be removed', async () => (await dockerObjects(berth.instance)).containers.length === 0, 30_000, 250);
}, 150_000);
