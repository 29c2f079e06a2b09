/**
 * Contract: an open instructor socket has no standing permission.
 * - A password reset by `berth admin` (its own database handle and event bus,
 *   as from another process) refuses the socket's next event and closes an
 *   idle socket within the periodic re-check.
 * - A login that expired closes its socket within the re-check too.
 * - A co-teacher taken off a class stops getting its grid patches and the
 *   watched terminal's output, and loses an active takeover, at once.
 * Real engine, one plain machine.
 */
import { Command } from 'commander';
import type { Socket } from 'socket.io-client';
import { registerAdminCommands } from '../../server/cli/admin-commands';
import { INSTRUCTOR_RECHECK_MS } from '../../server/realtime/socket-server';
import { api, connect, startLab, TermClient, waitFor, type Berth, type ClientSocket, type Student } from './harness';
import { addInstructor, createClass, emitAck, GridWatcher, instructorSocket, joinClass, setupOwner, useLiveBerth, type Instructor } from './live-helpers';

const LAB = 'three-steps';
let berth: Berth;
let owner: Instructor;
let classId: string;
let sam: Student;
let sessionId: string;
let samTerm: TermClient;

const open = useLiveBerth('ct-socket-access', {}, (b) => (berth = b));

beforeAll(async () => {
  owner = await setupOwner(berth);
  const cls = await createClass(berth, owner, 'Period 2', [LAB]);
  classId = cls.id;
  sam = await joinClass(berth, cls.joinCode.code!, 'Sam');
  sessionId = await startLab(berth, sam, LAB);
  const samSocket = await connect(berth.url, sam.cookie);
  open.push(samSocket);
  samTerm = new TermClient(samSocket, sessionId, 'box');
  expect((await samTerm.attach('box')).ok).toBe(true);
}, 120_000);

async function socketOf(who: Instructor): Promise<{ socket: Socket; closed: Promise<string> }> {
  const socket = await instructorSocket(berth.url, who.cookie);
  open.push(socket);
  return { socket, closed: new Promise((resolve) => socket.once('disconnect', (reason) => resolve(reason))) };
}

/** Resolves with how long the socket took to close, or rejects after `ms`. */
async function closesWithin(closed: Promise<string>, ms: number): Promise<number> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const reason = await Promise.race([closed, new Promise<string>((_, reject) => (timer = setTimeout(() => reject(new Error(`still open after ${ms} ms`)), ms)))]);
  clearTimeout(timer);
  expect(reason).toBe('io server disconnect');
  return Date.now() - started;
}

test('a password reset by `berth admin` (another bus) refuses the next event and closes idle sockets', async () => {
  const rita = await addInstructor(berth, owner, 'Rita', 'rita@school.test');
  await api(berth.url, 'PATCH', `/api/instructor/classes/${classId}`, { cookie: owner.cookie, body: { instructorIds: [owner.id, rita.id] } });
  const busy = await socketOf(rita);
  const idle = await socketOf(rita);
  expect(await emitAck(busy.socket, 'class:watch', { classId })).toEqual({ ok: true });

  const saved = { ...process.env };
  Object.assign(process.env, berth.env);
  try {
    const program = new Command().exitOverride();
    registerAdminCommands(program, { out: () => undefined, err: () => undefined, readPassword: async () => 'reset from the command line' });
    await program.parseAsync(['node', 'berth', 'admin', 'reset-password', 'rita@school.test']);
  } finally {
    process.env = saved;
  }

  expect(await emitAck(busy.socket, 'class:watch', { classId })).toMatchObject({ ok: false, code: 'unauthenticated' });
  await closesWithin(busy.closed, 2_000);
  await closesWithin(idle.closed, INSTRUCTOR_RECHECK_MS + 3_000);
}, 30_000);

test('a login that expired closes its open socket within the re-check', async () => {
  const uma = await addInstructor(berth, owner, 'Uma', 'uma@school.test');
  const { closed } = await socketOf(uma);
  // As if the idle time had passed: the login's expiry is behind us.
  berth.server.ctx.store.db.prepare('UPDATE instructor_logins SET expires_at = ? WHERE instructor_id = ?').run(Date.now() - 1, uma.id);
  await closesWithin(closed, INSTRUCTOR_RECHECK_MS + 3_000);
  expect((await api(berth.url, 'GET', '/api/instructor/me', { cookie: uma.cookie })).status).toBe(401);
}, 30_000);

test('a co-teacher taken off the class loses its grid, the watched terminal and the takeover at once', async () => {
  const bea = await addInstructor(berth, owner, 'Bea', 'bea@school.test');
  await api(berth.url, 'PATCH', `/api/instructor/classes/${classId}`, { cookie: owner.cookie, body: { instructorIds: [owner.id, bea.id] } });
  const { socket } = await socketOf(bea);
  const beaGrid = new GridWatcher(socket);
  const ownerSocket = (await socketOf(owner)).socket;
  const ownerGrid = new GridWatcher(ownerSocket);
  expect(await emitAck(socket, 'class:watch', { classId })).toEqual({ ok: true });
  expect(await emitAck(ownerSocket, 'class:watch', { classId })).toEqual({ ok: true });
  const beaTerm = new TermClient(socket as unknown as ClientSocket, sessionId, 'box');
  expect(await emitAck(socket, 'terminal:watch', { sessionId, terminalId: 'box', machine: 'box', from: samTerm.next, cols: 80, rows: 24 })).toEqual({ ok: true });
  expect(await emitAck(socket, 'terminal:takeover', { sessionId, terminalId: 'box', active: true })).toEqual({ ok: true });
  socket.emit('terminal:input', { sessionId, terminalId: 'box', data: 'echo "bea""-was-here"\r' });
  await beaTerm.waitText('bea-was-here');
  await beaGrid.waitRow('the row with the takeover', sam.id, (r) => r.takeover);

  const removed = await api(berth.url, 'PATCH', `/api/instructor/classes/${classId}`, { cookie: owner.cookie, body: { instructorIds: [owner.id] } });
  expect(removed.status).toBe(200);
  // At once: by the time the change is answered, the takeover is over (and audited as a cut-off).
  expect(berth.server.ctx.live.takeovers.forSession(sessionId)).toEqual([]);
  const ended = berth.server.ctx.audit.list({ classId }).find((e) => e.action === 'takeover.end');
  expect(ended?.detail.endedBy).toBe('disconnect');
  const beaPatches = beaGrid.patches.length;
  const beaBytes = beaTerm.text().length;

  // Sam's terminal and row go on; the owner sees both, Bea neither.
  const ownerMark = ownerGrid.patches.length;
  samTerm.type('echo "after""-removal" && touch /tmp/a\r');
  await samTerm.waitText('after-removal');
  await ownerGrid.waitRow('the row without the takeover', sam.id, (r) => !r.takeover, ownerMark);
  socket.emit('terminal:input', { sessionId, terminalId: 'box', data: 'echo "bea""-again"\r' });
  // Bea's own events are handled in order: once this refusal is here, her input was handled (and dropped).
  expect(await emitAck(socket, 'class:watch', { classId })).toMatchObject({ ok: false, code: 'not_found' });
  expect(await samTerm.run('echo "still""-sams"')).toBe('still-sams');
  await waitFor('a grid patch for the owner after the change', () => ownerGrid.patches.length > ownerMark);
  expect(beaGrid.patches.length).toBe(beaPatches);
  expect(beaTerm.text().length).toBe(beaBytes);
  expect(samTerm.text()).not.toContain('bea-again');
}, 60_000);
