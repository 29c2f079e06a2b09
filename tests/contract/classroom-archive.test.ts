/**
 * Contract: archiving a class makes it read-only for its students too. The
 * labs still open in it end (their machines go), so results stay as they
 * were; a student's own Reset is refused before anything is wiped (also
 * while a lab still runs in a class that no longer offers it). Real engine,
 * plain machines.
 */
import { api, connect, dockerObjects, sessionObjects, startLab, TermClient, waitFor, waitState, type Berth } from './harness';
import { createClass, joinClass, setupOwner, useLiveBerth, type Instructor } from './live-helpers';

const LAB = 'three-steps';
let berth: Berth;
let owner: Instructor;

const open = useLiveBerth('ct-archive', {}, (b) => (berth = b));

test('archiving ends the class labs; Reset and new starts are then refused and nothing is wiped', async () => {
  const ctx = berth.server.ctx;
  owner = await setupOwner(berth);
  const cls = await createClass(berth, owner, 'Term one', [LAB]);
  const ada = await joinClass(berth, cls.joinCode.code!, 'Ada');
  const bob = await joinClass(berth, cls.joinCode.code!, 'Bob');
  const adaSession = await startLab(berth, ada, LAB);
  const bobSession = await startLab(berth, bob, LAB);
  await ctx.sessions.pause(bobSession);
  await waitState(berth, bobSession, 'paused');

  // Ada passes the first step.
  const socket = await connect(berth.url, ada.cookie);
  open.push(socket);
  const term = new TermClient(socket, adaSession, 'box');
  expect((await term.attach('box')).ok).toBe(true);
  expect(await term.run('touch /tmp/a && echo "to""uched"')).toBe('touched');
  // The Enter above may have started an automatic check already (then runCheck answers null): wait for the pass.
  await waitFor('the first step passed', async () => (await ctx.progress.runCheck(adaSession, 0, 'button'))?.status === 'passed' || ctx.store.getProgress(ada.id, LAB).completed.includes(0));
  const progressBefore = ctx.store.getProgress(ada.id, LAB);
  expect(progressBefore?.completed).toEqual([0]);

  const archived = await api(berth.url, 'PATCH', `/api/instructor/classes/${cls.id}`, { cookie: owner.cookie, body: { archived: true } });
  expect([archived.status, archived.json.class.archived, archived.json.endedLabs]).toEqual([200, true, 2]);
  // Ended when the answer came: both sessions, and their machines are gone.
  expect([ctx.sessions.get(adaSession)?.state, ctx.sessions.get(bobSession)?.state]).toEqual(['ended', 'ended']);
  expect((await sessionObjects(berth.instance, adaSession)).containers).toEqual([]);
  expect((await dockerObjects(berth.instance)).containers).toEqual([]);
  expect(archived.json.class.running).toBe(0);
  const resultsArchived = (await api(berth.url, 'GET', `/api/instructor/classes/${cls.id}/results.json`, { cookie: owner.cookie })).json;

  // Ada's own Reset: refused by the class, and her passed step is still there.
  const reset = await api(berth.url, 'POST', `/api/sessions/${adaSession}/reset`, { cookie: ada.cookie });
  expect([reset.status, reset.json.code, reset.json.reason]).toEqual([403, 'forbidden', 'archived']);
  expect(ctx.store.getProgress(ada.id, LAB)).toEqual(progressBefore);
  expect(ctx.store.studentSessions(ada.id)).toEqual([]);
  const start = await api(berth.url, 'POST', '/api/sessions', { cookie: bob.cookie, body: { labId: LAB } });
  expect([start.status, start.json.reason]).toEqual([403, 'archived']);

  const resultsAfter = (await api(berth.url, 'GET', `/api/instructor/classes/${cls.id}/results.json`, { cookie: owner.cookie })).json;
  const steps = (r: { steps: Array<Record<string, unknown>> }) => r.steps.map((x) => [x.student_id, x.step, x.status, x.first_passed_at]);
  expect(steps(resultsAfter as never)).toEqual(steps(resultsArchived as never));
  expect(steps(resultsAfter as never).filter(([id, , status]) => id === ada.id && status === 'passed')).toHaveLength(1);
}, 180_000);

test('a Reset the class would refuse wipes nothing even while the lab is still running', async () => {
  const ctx = berth.server.ctx;
  const cls = await createClass(berth, owner, 'Term two', [LAB]);
  const cy = await joinClass(berth, cls.joinCode.code!, 'Cy');
  const sessionId = await startLab(berth, cy, LAB);
  // The class changes under a running lab without going through archiving (the lab is taken off the class).
  ctx.store.classroom.updateClass({ ...ctx.store.classroom.classRow(cls.id)!, labs: [] });
  const reset = await api(berth.url, 'POST', `/api/sessions/${sessionId}/reset`, { cookie: cy.cookie });
  expect([reset.status, reset.json.reason]).toEqual([403, 'not_in_class']);
  expect(ctx.sessions.get(sessionId)?.state).toBe('running');
  await ctx.sessions.stop(sessionId);
}, 120_000);
