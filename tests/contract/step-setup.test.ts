/**
 * Contract (real engine): step setup as a student lives it. The fixture lab
 * tests/fixtures/runtime-labs/step-setup has a visible setup block in its
 * FIRST step (as the KillerCoda importer writes a foreground script); before
 * issue 9 that block never ran in a live lab. It must be typed into the
 * student's terminal once the page opens it, exactly once, and later steps
 * follow the same rule.
 */
import { stateOf } from '../../server/sessions/session-manager';
import { ask, connect, join, startBerth, startLab, TermClient, waitFor, type Berth, type ClientSocket, type Student } from './harness';

let berth: Berth;
let ada: Student;
let sessionId: string;
const sockets: ClientSocket[] = [];

beforeAll(async () => {
  berth = await startBerth('ct-stepsetup');
  ada = await join(berth.url, 'Ada');
  sessionId = await startLab(berth, ada, 'step-setup');
}, 90_000);

afterAll(async () => {
  for (const s of sockets) s.close();
  await berth?.dispose();
}, 60_000);

/** Runs a command in the machine, beside the terminal (what a check sees). */
async function inMachine(script: string): Promise<string> {
  const ctx = berth.server.ctx;
  const out = await ctx.backend.exec(stateOf(ctx.sessions.get(sessionId)!)!, 'box', script, { timeoutMs: 10_000, outputCapBytes: 4096 });
  return out.stdout.trim();
}

test('the lab setup and step 0 hidden setup ran before the lab was ready; the visible block waits for the terminal', async () => {
  expect(await inMachine('ls /root/lab-setup.txt /root/hidden-0.txt')).toBe('/root/hidden-0.txt\n/root/lab-setup.txt');
  expect(await inMachine('test -e /root/visible-0.txt && echo present || echo absent')).toBe('absent');
});

test('a visible setup in step 0 is typed into the student terminal when the page opens it, once', async () => {
  const socket = await connect(berth.url, ada.cookie);
  sockets.push(socket);
  const term = new TermClient(socket, sessionId, 'box');
  expect(await term.attach('box', 0)).toEqual({ ok: true, owner: true });
  await term.waitText('echo typed-by-berth >> /root/visible-0.txt');
  await waitFor('the typed setup to have run', async () => (await inMachine('cat /root/visible-0.txt 2>/dev/null')) === 'typed-by-berth');
  // A reload (a new page, a new socket) re-attaches the same terminal and replays it: nothing is typed again.
  socket.close();
  const reloaded = await connect(berth.url, ada.cookie);
  sockets.push(reloaded);
  const again = new TermClient(reloaded, sessionId, 'box');
  expect(await again.attach('box', 0)).toEqual({ ok: true, owner: true });
  expect(await again.run('echo done')).toBe('done');
  // The block appends a line: one line means it ran once. On screen it is echoed once (typed after the prompt).
  expect(await inMachine('cat /root/visible-0.txt')).toBe('typed-by-berth');
  expect(again.text().split('echo typed-by-berth').length - 1).toBe(1);
}, 60_000);

test('a later step: its visible block is typed into the open terminal, its hidden block runs, when the student gets there', async () => {
  const socket = await connect(berth.url, ada.cookie);
  sockets.push(socket);
  const term = new TermClient(socket, sessionId, 'box');
  expect(await term.attach('box', 0)).toEqual({ ok: true, owner: true });
  expect(await inMachine('test -e /root/hidden-1.txt && echo present || echo absent')).toBe('absent');
  await term.run('touch /root/one.txt');
  const check = await berth.server.ctx.progress.runCheck(sessionId, 0, 'button');
  expect(check?.status).toBe('passed');
  expect(await ask(socket, 'step:goto', { sessionId, step: 1 })).toEqual({ ok: true });
  await term.waitText('touch /root/visible-1.txt');
  await waitFor('step 1 setup in the machine', async () => (await inMachine('ls /root/visible-1.txt /root/hidden-1.txt 2>/dev/null')) === '/root/hidden-1.txt\n/root/visible-1.txt');
}, 60_000);

test('what ran is stored per block and survives a restart of Berth', async () => {
  await berth.restart();
  const setup = berth.server.ctx;
  expect(setup.sessions.get(sessionId)?.state).toBe('running');
  const rows = setup.store.db.prepare('SELECT step, block, done_at IS NOT NULL AS done FROM step_setup WHERE session_id = ? ORDER BY step, block').all(sessionId);
  expect(rows).toEqual([
    { step: 0, block: 0, done: 1 },
    { step: 0, block: 1, done: 1 },
    { step: 1, block: 0, done: 1 },
    { step: 1, block: 1, done: 1 },
  ]);
}, 60_000);
