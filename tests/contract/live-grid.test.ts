/**
 * Contract: the instructor's live view against a real Berth and real lab
 * machines. A student's check reaches the instructor's grid as a patch; the
 * instructor watches the terminal, takes it over, messages, and resets.
 */
import fs from 'node:fs';
import type { Socket } from 'socket.io-client';
import type { NoticeView } from '../../server/contracts/classroom';
import { api, ask, connect, removeInstanceObjects, startBerth, startLab, TermClient, waitFor, type Berth, type ClientSocket, type Student } from './harness';
import { createClass, emitAck, GridWatcher, instructorSocket, joinClass, liveLabsDir, setupOwner, type Instructor } from './live-helpers';

const LAB = 'three-steps';
let labsDir: string;
let berth: Berth;
let owner: Instructor;
let classId: string;
let code: string;
let ada: Student;
let sessionId: string;
let adaSocket: ClientSocket;
let adaTerm: TermClient;
let teacher: Socket;
let grid: GridWatcher;
const banners: Array<{ sessionId: string; terminalId: string; active: boolean; instructor: string }> = [];
const notices: NoticeView[] = [];

beforeAll(async () => {
  labsDir = liveLabsDir();
  berth = await startBerth('ct-live-grid', { BERTH_LABS_DIR: labsDir });
  owner = await setupOwner(berth);
  const cls = await createClass(berth, owner, 'Period 3', [LAB]);
  classId = cls.id;
  code = cls.joinCode.code!;
  ada = await joinClass(berth, code, 'Ada');
  sessionId = await startLab(berth, ada, LAB);
  adaSocket = await connect(berth.url, ada.cookie);
  adaSocket.on('takeover:state' as never, ((s: (typeof banners)[number]) => banners.push(s)) as never);
  adaSocket.on('notice' as never, ((n: NoticeView) => notices.push(n)) as never);
  expect(await ask(adaSocket, 'session:watch', { sessionId })).toEqual({ ok: true });
  adaTerm = new TermClient(adaSocket, sessionId, 'box');
  expect((await adaTerm.attach('box')).ok).toBe(true);
  teacher = await instructorSocket(berth.url, owner.cookie);
  grid = new GridWatcher(teacher);
}, 120_000);

afterAll(async () => {
  adaSocket?.close();
  teacher?.close();
  await berth?.dispose();
  if (berth) await removeInstanceObjects(berth.instance);
  if (labsDir) fs.rmSync(labsDir, { recursive: true, force: true });
}, 60_000);

test('class:watch answers ok, then a snapshot with the class, its labs and the student on step 1', async () => {
  expect(await emitAck(teacher, 'class:watch', { classId })).toEqual({ ok: true });
  await waitFor('the class:grid snapshot', () => grid.grid);
  const g = grid.grid!;
  expect(g.classId).toBe(classId);
  expect(g.labs).toEqual([
    {
      id: LAB,
      title: 'Three steps',
      steps: [
        { index: 0, title: 'Make the first file', checked: true },
        { index: 1, title: 'Make the second file', checked: true },
        { index: 2, title: 'Answer a question', checked: false },
      ],
    },
  ]);
  const row = g.rows.find((r) => r.studentId === ada.id)!;
  expect(row).toMatchObject({ name: 'Ada', admitted: true, takeover: false, finishedLabs: [] });
  expect(row.session).toEqual({ id: sessionId, labId: LAB, state: 'running', machines: ['box'], terminals: ['box'] });
  expect(row.cells[LAB].map((c) => c.state)).toEqual(['current', 'not_reached', 'not_reached']);
  expect(row.current).toMatchObject({ labId: LAB, step: 0 });
  expect(g.summary).toMatchObject({ students: 1, started: 1, finished: 0, atStep: { [LAB]: [1, 0, 0] } });
});

test('a student who joins while the instructor watches appears once their page connects', async () => {
  const before = grid.patches.length;
  const bob = await joinClass(berth, code, 'Bob');
  const socket = await connect(berth.url, bob.cookie);
  try {
    const row = await grid.waitRow("Bob's row", bob.id, () => true, before);
    expect(row).toMatchObject({ name: 'Bob', session: null, current: null });
    expect(row.cells[LAB].map((c) => c.state)).toEqual(['not_reached', 'not_reached', 'not_reached']);
  } finally {
    socket.close();
  }
});

test('a failing check shows its FAIL line; passing it turns the cell done in a patch', async () => {
  const before = grid.patches.length;
  expect(await ask(adaSocket, 'check:run', { sessionId, step: 0 })).toEqual({ ok: true });
  const failing = await grid.waitRow('a failing cell', ada.id, (r) => r.cells[LAB][0].state === 'failing', before);
  expect(failing.cells[LAB][0]).toMatchObject({ lastFail: '/tmp/a is missing', attempts: 1 });

  await adaTerm.run('touch /tmp/a');
  const mark = grid.patches.length;
  expect(await ask(adaSocket, 'check:run', { sessionId, step: 0 })).toEqual({ ok: true });
  const done = await grid.waitRow('the cell done', ada.id, (r) => r.cells[LAB][0].state === 'done', mark);
  expect(done.cells[LAB][0]).toMatchObject({ state: 'done', attempts: 1 });
  expect(done.cells[LAB][0].passedAt).toBeGreaterThanOrEqual(done.cells[LAB][0].reachedAt!);
});

test('typing in the terminal moves last activity in a patch; a background check does not', async () => {
  const checkedAt = grid.row(ada.id)!.lastActivityAt!;
  // Berth's background re-run of a check: the row is redrawn, its last activity stays.
  expect((await berth.server.ctx.progress.runCheck(sessionId, 1, 'timer'))?.status).toBe('failed');
  const redrawn = berth.server.ctx.live.grid(classId)!.rows.find((r) => r.studentId === ada.id)!;
  expect(redrawn.lastActivityAt).toBe(checkedAt);
  expect(redrawn.cells[LAB][1]).toMatchObject({ state: 'not_reached', attempts: 0 });

  // Typing with no Enter (so no check runs): shown within the 15 s throttle, by a patch, not a poll.
  const mark = grid.patches.length;
  const typedFrom = Date.now();
  let typed = 0;
  const typing = setInterval(() => {
    adaTerm.type(' ');
    typed++;
  }, 1_000);
  try {
    const row = await grid.waitRow('last activity moved by typing', ada.id, (r) => (r.lastActivityAt ?? 0) > checkedAt, mark, 30_000);
    expect(row.lastActivityAt).toBeGreaterThanOrEqual(typedFrom - 1_000);
  } finally {
    clearInterval(typing);
    adaTerm.type('\x7f'.repeat(typed));
  }
}, 60_000);

test("watching a student's terminal shows what they type; the watcher cannot type", async () => {
  const watch = new TermClient(teacher as unknown as ClientSocket, sessionId, 'box');
  expect(await emitAck(teacher, 'terminal:watch', { sessionId, terminalId: 'box', machine: 'box', from: 0, cols: 80, rows: 24 })).toEqual({ ok: true });
  // The replay from 0 holds everything so far, the student's own typing included.
  await watch.waitText('touch /tmp/a');
  adaTerm.type('echo typed-by-ada\r');
  await watch.waitText('typed-by-ada');
  // Input from an instructor without a takeover is dropped; the takeover test below proves later input does arrive.
  teacher.emit('terminal:input', { sessionId, terminalId: 'box', data: 'echo not-taken-over\r' });
  teacher.emit('terminal:unwatch', { sessionId, terminalId: 'box' });
});

test('a second terminal the student opened on a machine is listed on their row and can be watched', async () => {
  const second = new TermClient(adaSocket, sessionId, 'box:2');
  expect((await second.attach('box')).ok).toBe(true);
  // Typing in it redraws the row (as typing does, at most every 15 s), now with the new terminal.
  const mark = grid.patches.length;
  let typed = 0;
  const typing = setInterval(() => {
    second.type(' ');
    typed++;
  }, 1_000);
  let row;
  try {
    row = await grid.waitRow('the row listing box:2', ada.id, (r) => r.session?.terminals.includes('box:2') ?? false, mark, 30_000);
  } finally {
    clearInterval(typing);
    second.type('\x7f'.repeat(typed));
  }
  expect(row.session?.terminals).toEqual(['box', 'box:2']);
  const watch = new TermClient(teacher as unknown as ClientSocket, sessionId, 'box:2');
  expect(await emitAck(teacher, 'terminal:watch', { sessionId, terminalId: 'box:2', machine: 'box', from: 0, cols: 80, rows: 24 })).toEqual({ ok: true });
  second.type('echo from-the-second-tab\r');
  await watch.waitText('from-the-second-tab\r\n');
  teacher.emit('terminal:unwatch', { sessionId, terminalId: 'box:2' });
}, 60_000);

test('takeover: the student sees the banner, the instructor types into the shell, the student ends it', async () => {
  expect(await emitAck(teacher, 'terminal:takeover', { sessionId, terminalId: 'box', active: true })).toEqual({ ok: true });
  await waitFor('the banner on the student page', () => banners.find((b) => b.active));
  expect(banners[0]).toEqual({ sessionId, terminalId: 'box', active: true, instructor: owner.name });
  await grid.waitRow('the row showing the takeover', ada.id, (r) => r.takeover);
  // A page of Ada's whose socket was open before (the catalog) and that now opens this lab is told too.
  const later = await connect(berth.url, ada.cookie);
  try {
    // Answered in order after what the connection was sent at once (the greeting): that much is past.
    expect(await ask(later, 'takeover:end', { sessionId, terminalId: 'no-such-terminal' })).toEqual({ ok: false });
    const toLater: Array<(typeof banners)[number]> = [];
    later.on('takeover:state' as never, ((s: (typeof banners)[number]) => toLater.push(s)) as never);
    expect(await ask(later, 'session:watch', { sessionId })).toEqual({ ok: true });
    await waitFor('the banner on the page that opened the lab', () => toLater.find((b) => b.active));
  } finally {
    later.close();
  }

  teacher.emit('terminal:input', { sessionId, terminalId: 'box', data: 'echo "hel""ped"\r' });
  await adaTerm.waitText('helped\r\n');
  expect(adaTerm.text()).not.toContain('not-taken-over');

  // The check the instructor's typing leads to is the student's as usual.
  teacher.emit('terminal:input', { sessionId, terminalId: 'box', data: 'touch /tmp/b\r' });
  await waitFor('/tmp/b', async () => (await adaTerm.run('ls /tmp/b 2>&1')).trim() === '/tmp/b');

  expect(await ask(adaSocket, 'takeover:end', { sessionId, terminalId: 'box' })).toEqual({ ok: true });
  await waitFor('the banner gone', () => banners.find((b) => !b.active));
  await grid.waitRow('the row without takeover', ada.id, (r) => !r.takeover);
  const entries = berth.server.ctx.audit.list({ classId }).map((e) => `${e.action}:${String(e.detail.endedBy ?? '')}`);
  expect(entries).toEqual(expect.arrayContaining(['takeover.start:', 'takeover.end:student']));
  // Over: the instructor's input is dropped again.
  teacher.emit('terminal:input', { sessionId, terminalId: 'box', data: 'echo after-the-end\r' });
  // One socket's events are handled in order: once this is answered, that input was handled (and dropped).
  expect(await emitAck(teacher, 'class:watch', { classId })).toEqual({ ok: true });
  expect(await adaTerm.run('echo still-mine')).toBe('still-mine');
  expect(adaTerm.text()).not.toContain('after-the-end');
});

test('a takeover ends when the instructor disconnects', async () => {
  const other = await instructorSocket(berth.url, owner.cookie);
  const seen = banners.length;
  expect(await emitAck(other, 'terminal:takeover', { sessionId, terminalId: 'box', active: true })).toEqual({ ok: true });
  await waitFor('a new banner', () => banners.slice(seen).find((b) => b.active));
  other.close();
  await waitFor('the banner gone with the connection', () => banners.slice(seen).find((b) => !b.active));
  expect(berth.server.ctx.live.takeovers.forStudent(ada.id)).toEqual([]);
});

test('a slow watcher (never acknowledging) does not slow the student', async () => {
  const slow = await instructorSocket(berth.url, owner.cookie);
  const slowTerm = new TermClient(slow as unknown as ClientSocket, sessionId, 'box', false);
  expect(await emitAck(slow, 'terminal:watch', { sessionId, terminalId: 'box', machine: 'box', from: adaTerm.next, cols: 80, rows: 24 })).toEqual({ ok: true });
  // 3 MB through the terminal: far past the high watermark the slow watcher is held at.
  const out = await adaTerm.run("head -c 3000000 /dev/zero | tr '\\0' x | wc -c; head -c 3000000 /dev/zero | tr '\\0' x; echo", 60_000);
  expect(out).toMatch(/^3000000\n/);
  expect(out.length).toBeGreaterThan(3_000_000);
  expect(slowTerm.received).toBeLessThan(3_000_000);
  slow.close();
}, 90_000);

test('a broadcast and a message reach the student at once and stay until dismissed', async () => {
  const b = await api(berth.url, 'POST', `/api/instructor/classes/${classId}/broadcast`, { cookie: owner.cookie, body: { text: 'Break at 10:00' } });
  expect(b.status).toBe(200);
  expect(b.json.notice).toMatchObject({ kind: 'broadcast', from: owner.name, text: 'Break at 10:00' });
  const m = await api(berth.url, 'POST', `/api/instructor/classes/${classId}/students/${ada.id}/message`, { cookie: owner.cookie, body: { text: 'Look at step 2' } });
  expect(m.status).toBe(200);
  await waitFor('both notices on the socket', () => notices.length >= 2);
  expect(notices.map((n) => n.text)).toEqual(['Break at 10:00', 'Look at step 2']);
  const pending = await api(berth.url, 'GET', '/api/notices', { cookie: ada.cookie });
  expect(pending.json.notices.map((n: NoticeView) => n.id)).toEqual([b.json.notice.id, m.json.notice.id]);
  expect((await api(berth.url, 'POST', `/api/notices/${b.json.notice.id}/dismiss`, { cookie: ada.cookie })).json).toEqual({ ok: true });
  const after = await api(berth.url, 'GET', '/api/notices', { cookie: ada.cookie });
  expect(after.json.notices.map((n: NoticeView) => n.id)).toEqual([m.json.notice.id]);
  const empty = await api(berth.url, 'POST', `/api/instructor/classes/${classId}/broadcast`, { cookie: owner.cookie, body: { text: '   ' } });
  expect(empty.status).toBe(400);
  expect(empty.json).toMatchObject({ code: 'invalid', error: expect.stringContaining('text') });
});

test('reset from the grid gives the student a fresh lab: new machines, progress from the start', async () => {
  const r = await api(berth.url, 'POST', `/api/instructor/classes/${classId}/actions`, { cookie: owner.cookie, body: { action: 'reset', studentIds: [ada.id] } });
  expect(r.status).toBe(200);
  expect(r.json).toEqual({ results: [{ studentId: ada.id, ok: true }] });
  const fresh = berth.server.ctx.store.studentSessions(ada.id)[0];
  expect(fresh.id).not.toBe(sessionId);
  await berth.server.ctx.sessions.settled(fresh.id);
  expect(berth.server.ctx.sessions.get(fresh.id)?.state).toBe('running');
  const row = await grid.waitRow('the reset row', ada.id, (x) => x.session?.id === fresh.id && x.session.state === 'running');
  expect(row.cells[LAB].map((c) => c.state)).toEqual(['current', 'not_reached', 'not_reached']);
  // The reset restarts the lab, not the results: the failed try before it is still counted.
  expect(row.cells[LAB][0]).toMatchObject({ attempts: 1, passedAt: expect.any(Number) });
  // The new machine never saw /tmp/a.
  expect((await berth.server.ctx.progress.runCheck(fresh.id, 0, 'test'))?.feedback).toBe('/tmp/a is missing');
  const audit = berth.server.ctx.audit.list({ classId }).find((e) => e.action === 'student.reset');
  expect(audit).toMatchObject({ target: ada.id, detail: { oldSessionId: sessionId, sessionId: fresh.id } });
  sessionId = fresh.id;
}, 90_000);

test('reveal the next hint: the student gets it as a notice, the grid counts it', async () => {
  const seen = notices.length;
  const r = await api(berth.url, 'POST', `/api/instructor/classes/${classId}/actions`, { cookie: owner.cookie, body: { action: 'reveal_hint', studentIds: [ada.id] } });
  expect(r.json).toEqual({ results: [{ studentId: ada.id, ok: true }] });
  await waitFor('the hint notice', () => notices.length > seen);
  expect(notices[seen]).toMatchObject({ kind: 'system', from: owner.name, text: 'A hint for step 1: Use touch.' });
  await grid.waitRow('one hint in the cell', ada.id, (x) => x.cells[LAB][0].hints === 1);
  expect(berth.server.ctx.store.getProgress(ada.id, LAB).hintsRevealed[0]).toBe(1);
});

test('pause, resume and end from the grid; actions on a lab that is not open say why', async () => {
  const act = (action: string) => api(berth.url, 'POST', `/api/instructor/classes/${classId}/actions`, { cookie: owner.cookie, body: { action, studentIds: [ada.id] } });
  expect((await act('pause')).json.results[0]).toEqual({ studentId: ada.id, ok: true });
  await grid.waitRow('the row paused', ada.id, (x) => x.session?.state === 'paused');
  expect((await act('pause')).json.results[0]).toMatchObject({ ok: false, error: expect.stringContaining('not running') });
  expect((await act('resume')).json.results[0]).toEqual({ studentId: ada.id, ok: true });
  await berth.server.ctx.sessions.settled(sessionId);
  await grid.waitRow('the row running again', ada.id, (x) => x.session?.state === 'running');
  expect((await act('end')).json.results[0]).toEqual({ studentId: ada.id, ok: true });
  await grid.waitRow('the row ended', ada.id, (x) => x.session?.state === 'ended' && x.current === null);
  expect((await act('extend')).json.results[0]).toEqual({ studentId: ada.id, ok: false, error: 'This student has no lab open.' });
  const actions = berth.server.ctx.audit.list({ classId }).map((e) => e.action);
  expect(actions).toEqual(expect.arrayContaining(['student.pause', 'student.resume', 'student.end', 'student.extend', 'student.reveal_hint']));
}, 90_000);
