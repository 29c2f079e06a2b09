/**
 * Contract: open practice exists only while BERTH_OPEN_JOIN is on. A student
 * who joined it while it was on, and one carried over from 0.1 by the
 * migration, keep their cookies; once the admin turns open join off, neither
 * may start a lab or resume a paused one, and the refusal says why by code.
 * Real engine, one plain machine.
 */
import crypto from 'node:crypto';
import { OPEN_PRACTICE_CLASS_ID } from '../../server/classroom';
import { COOKIE } from '../../server/http/auth';
import { api, join, removeInstanceObjects, startBerth, startLab, waitState, type Berth, type Student } from './harness';

const LAB = 'shell-only';
let berth: Berth;

beforeAll(async () => {
  berth = await startBerth('ct-open-join', { BERTH_OPEN_JOIN: 'true' });
}, 60_000);

afterAll(async () => {
  await berth?.dispose();
  if (berth) await removeInstanceObjects(berth.instance);
}, 60_000);

/** A student as migration 002 leaves a 0.1 student: in open practice, admitted, with a signed cookie. */
function migratedStudent(name: string): Student {
  const ctx = berth.server.ctx;
  const id = crypto.randomBytes(9).toString('base64url');
  ctx.store.classroom.addStudent(id, name, OPEN_PRACTICE_CLASS_ID, Date.now());
  return { id, name, cookie: `${COOKIE}=${encodeURIComponent(ctx.signer.sign(id))}` };
}

test('with BERTH_OPEN_JOIN=false, open-practice students (joined earlier or migrated) start and resume nothing', async () => {
  const early = await join(berth.url, 'Early Bird');
  const sessionId = await startLab(berth, early, LAB);
  await berth.server.ctx.sessions.pause(sessionId);
  await waitState(berth, sessionId, 'paused');

  berth.env.BERTH_OPEN_JOIN = 'false';
  await berth.restart();
  expect(berth.server.ctx.config.classroom.openJoin).toBe(false);
  const migrated = migratedStudent('From Version One');

  const refusal = { code: 'forbidden', reason: 'open_join_off', error: expect.stringMatching(/Open practice is closed/) };
  const start = await api(berth.url, 'POST', '/api/sessions', { cookie: migrated.cookie, body: { labId: LAB } });
  expect([start.status, start.json]).toEqual([403, refusal]);
  expect(berth.server.ctx.store.studentSessions(migrated.id)).toEqual([]);

  const resume = await api(berth.url, 'POST', `/api/sessions/${sessionId}/resume`, { cookie: early.cookie });
  expect([resume.status, resume.json]).toEqual([403, refusal]);
  expect(berth.server.ctx.sessions.get(sessionId)?.state).toBe('paused');

  // Joining without a code is refused too, naming the field.
  const again = await api(berth.url, 'POST', '/api/join', { body: { name: 'Someone New' } });
  expect([again.status, again.json.code]).toEqual([400, 'invalid']);

  // Turned back on, the same students carry on (the refusal was the setting, not the students).
  berth.env.BERTH_OPEN_JOIN = 'true';
  await berth.restart();
  const ok = await api(berth.url, 'POST', `/api/sessions/${sessionId}/resume`, { cookie: early.cookie });
  expect(ok.status).toBe(200);
  await waitState(berth, sessionId, 'running');
}, 180_000);
