/**
 * Authorization of the live view: every dashboard route (from the exported
 * route tables) and every instructor socket event (from the contract's list)
 * is refused to strangers, to students, and to an instructor of another
 * class, and nothing they sent had an effect. The owner, who may, gets
 * through on the same requests: the refusals are not a broken route.
 */
import fs from 'node:fs';
import type { Socket } from 'socket.io-client';
import { INSTRUCTOR_EVENTS } from '../../server/contracts/classroom';
import { LIVE_ROUTES, NOTICE_ROUTES } from '../../server/http/class-live-api';
import { STUDENT_ONLY_EVENTS } from '../../server/realtime/instructor-socket';
import { api, ask, connect, removeInstanceObjects, startBerth, startLab, TermClient, type Berth, type ClientSocket, type Student } from './harness';
import { addInstructor, createClass, emitAck, instructorSocket, joinClass, liveLabsDir, setupOwner, type Instructor, type SocketReply } from './live-helpers';

const LAB = 'three-steps';
let labsDir: string;
let berth: Berth;
let owner: Instructor;
let other: Instructor;
let classX: string;
let classY: string;
let sam: Student;
let tia: Student;
let sessionId: string;
let samSocket: ClientSocket;
let samTerm: TermClient;
let ownerSocket: Socket;
let otherSocket: Socket;

beforeAll(async () => {
  labsDir = liveLabsDir();
  berth = await startBerth('ct-live-authz', { BERTH_LABS_DIR: labsDir });
  owner = await setupOwner(berth);
  other = await addInstructor(berth, owner, 'Oscar Other', 'oscar');
  const x = await createClass(berth, owner, 'Class X', [LAB]);
  const y = await createClass(berth, other, 'Class Y', [LAB]);
  classX = x.id;
  classY = y.id;
  sam = await joinClass(berth, x.joinCode.code!, 'Sam');
  tia = await joinClass(berth, y.joinCode.code!, 'Tia');
  sessionId = await startLab(berth, sam, LAB);
  samSocket = await connect(berth.url, sam.cookie);
  expect(await ask(samSocket, 'session:watch', { sessionId })).toEqual({ ok: true });
  samTerm = new TermClient(samSocket, sessionId, 'box');
  expect((await samTerm.attach('box')).ok).toBe(true);
  ownerSocket = await instructorSocket(berth.url, owner.cookie);
  otherSocket = await instructorSocket(berth.url, other.cookie);
}, 120_000);

afterAll(async () => {
  samSocket?.close();
  ownerSocket?.close();
  otherSocket?.close();
  await berth?.dispose();
  if (berth) await removeInstanceObjects(berth.instance);
  if (labsDir) fs.rmSync(labsDir, { recursive: true, force: true });
}, 60_000);

/** A request each route would accept from someone allowed (so a refusal is about who asks, not what). */
function request(route: (typeof LIVE_ROUTES)[number], classId: string): { path: string; body?: unknown } {
  const path = `/api/instructor${route.path.replace(':id', classId).replace(':studentId', sam.id)}`;
  switch (route.path) {
    case '/classes/:id/actions':
      return { path, body: { action: 'extend', studentIds: [sam.id] } };
    case '/classes/:id/broadcast':
    case '/classes/:id/students/:studentId/message':
      return { path, body: { text: 'from someone who may not' } };
    default:
      return { path };
  }
}

describe.each(LIVE_ROUTES.map((r) => [`${r.method} ${r.path}`, r] as const))('%s', (_name, route) => {
  test('refused without a login, to a student, and to an instructor of another class', async () => {
    const { path, body } = request(route, classX);
    const stranger = await api(berth.url, route.method, path, { body });
    expect([stranger.status, stranger.json.code]).toEqual([401, 'unauthenticated']);
    const student = await api(berth.url, route.method, path, { body, cookie: sam.cookie });
    expect([student.status, student.json.code]).toEqual([401, 'unauthenticated']);
    const foreign = await api(berth.url, route.method, path, { body, cookie: other.cookie });
    // Not yours looks like not there (the same answer as for a class that does not exist).
    expect([foreign.status, foreign.json.code]).toEqual([404, 'not_found']);
    expect(typeof foreign.json.error).toBe('string');
  });
});

test('nothing refused had an effect: no notice, no extension, nothing in the audit log', async () => {
  expect((await api(berth.url, 'GET', '/api/notices', { cookie: sam.cookie })).json.notices).toEqual([]);
  expect(berth.server.ctx.sessions.get(sessionId)?.extensions).toBe(0);
  expect(berth.server.ctx.audit.list({ classId: classX }).filter((e) => e.action.startsWith('student.') || e.action.startsWith('notice.'))).toEqual([]);
});

test('a student of another class cannot be messaged through your class', async () => {
  const r = await api(berth.url, 'POST', `/api/instructor/classes/${classY}/students/${sam.id}/message`, { cookie: other.cookie, body: { text: 'hi' } });
  expect([r.status, r.json.code]).toEqual([404, 'not_found']);
  const x = await api(berth.url, 'POST', `/api/instructor/classes/${classY}/actions`, { cookie: other.cookie, body: { action: 'end', studentIds: [sam.id] } });
  expect(x.json.results).toEqual([{ studentId: sam.id, ok: false, error: 'That student is not in this class.' }]);
  expect(berth.server.ctx.sessions.get(sessionId)?.state).toBe('running');
});

test('the owner gets through on the very same requests', async () => {
  for (const route of LIVE_ROUTES) {
    const { path, body } = request(route, classX);
    const r = await api(berth.url, route.method, path, { body, cookie: owner.cookie });
    expect([route.path, r.status]).toEqual([route.path, 200]);
  }
  expect(berth.server.ctx.sessions.get(sessionId)?.extensions).toBe(1);
});

describe.each(NOTICE_ROUTES.map((r) => [`${r.method} /api${r.path}`, r] as const))('%s', (_name, route) => {
  test('needs the student cookie; an instructor cookie is not one', async () => {
    const path = `/api${route.path.replace(':id', 'x')}`;
    for (const cookie of [undefined, owner.cookie]) {
      const r = await api(berth.url, route.method, path, { cookie });
      expect([r.status, r.json.code]).toEqual([401, 'unauthenticated']);
    }
  });
});

test("a student cannot dismiss another student's notice", async () => {
  const m = await api(berth.url, 'POST', `/api/instructor/classes/${classX}/students/${sam.id}/message`, { cookie: owner.cookie, body: { text: 'for Sam only' } });
  const id = m.json.notice.id as string;
  const tias = await api(berth.url, 'POST', `/api/notices/${id}/dismiss`, { cookie: tia.cookie });
  expect([tias.status, tias.json.code]).toEqual([404, 'not_found']);
  expect((await api(berth.url, 'GET', '/api/notices', { cookie: tia.cookie })).json.notices).toEqual([]);
  expect((await api(berth.url, 'GET', '/api/notices', { cookie: sam.cookie })).json.notices.map((n: { id: string }) => n.id)).toContain(id);
});

/** A valid payload for each instructor event, aimed at class X and Sam's terminal. */
function payload(event: (typeof INSTRUCTOR_EVENTS)[number]): unknown {
  const term = { sessionId, terminalId: 'box' };
  switch (event) {
    case 'class:watch':
    case 'class:unwatch':
      return { classId: classX };
    case 'terminal:watch':
      return { ...term, machine: 'box', from: 0, cols: 80, rows: 24 };
    case 'terminal:unwatch':
      return term;
    case 'terminal:takeover':
      return { ...term, active: true };
    case 'terminal:input':
      return { ...term, data: 'echo intruder-$((6*7))\r' };
    case 'terminal:ack':
      return { ...term, bytes: 10 };
  }
}

describe('socket events', () => {
  const replying = INSTRUCTOR_EVENTS.filter((e) => ['class:watch', 'terminal:watch', 'terminal:takeover'].includes(e));

  test.each(replying)('%s is refused to an instructor of another class', async (event) => {
    const r = await emitAck<SocketReply>(otherSocket, event, payload(event));
    expect(r).toMatchObject({ ok: false, code: 'not_found' });
  });

  test.each(INSTRUCTOR_EVENTS.filter((e) => e !== 'terminal:input' && e !== 'terminal:ack'))('%s is refused to a student, by name', async (event) => {
    const r = await emitAck<SocketReply>(samSocket as unknown as Socket, event, payload(event));
    expect(r).toMatchObject({ ok: false, code: 'forbidden' });
  });

  test.each(STUDENT_ONLY_EVENTS)('%s (a student event) is refused to an instructor', async (event) => {
    const r = await emitAck<SocketReply>(ownerSocket, event, { sessionId, terminalId: 'box', machine: 'box', step: 0, from: 0, cols: 80, rows: 24 });
    expect(r).toMatchObject({ ok: false, code: 'forbidden' });
  });

  test('input, ack and unwatch of another class do nothing, even while its instructor has taken over', async () => {
    // Everything the foreign instructor sends without a reply, then one with a reply: a socket's events are
    // handled in order, so once that reply is here the earlier events have been handled.
    for (const event of ['terminal:input', 'terminal:ack', 'terminal:unwatch', 'class:unwatch'] as const) otherSocket.emit(event, payload(event));
    await emitAck(otherSocket, 'class:watch', { classId: classY });
    expect(await emitAck(ownerSocket, 'terminal:takeover', { sessionId, terminalId: 'box', active: true })).toEqual({ ok: true });
    otherSocket.emit('terminal:input', payload('terminal:input'));
    await emitAck(otherSocket, 'class:watch', { classId: classY });
    ownerSocket.emit('terminal:input', { sessionId, terminalId: 'box', data: 'echo owner-$((6*7))\r' });
    await samTerm.waitText('owner-42');
    expect(samTerm.text()).not.toContain('intruder-42');
    expect(await emitAck(ownerSocket, 'terminal:takeover', { sessionId, terminalId: 'box', active: false })).toEqual({ ok: true });
  });

  test('every instructor event is covered above', () => {
    const covered = new Set<string>([...replying, 'terminal:input', 'terminal:ack', 'terminal:unwatch', 'class:unwatch']);
    expect(INSTRUCTOR_EVENTS.filter((e) => !covered.has(e))).toEqual([]);
  });
});
