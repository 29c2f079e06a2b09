/**
 * A student (or a script in their browser) can send input faster than a
 * shell reads it. With a program in the foreground that never reads
 * (`sleep 1d`), the machine's pty fills, the engine stops taking input, and
 * whatever Berth keeps accepting it must hold somewhere. It may hold only a
 * bounded amount: the sender is told to slow down and the rest is dropped.
 *
 * Berth runs as its own process (`berth serve`) so its RSS is measured alone,
 * without jest or the client in it.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  TermClient,
  api,
  ask,
  connect,
  join,
  removeInstanceObjects,
  uniqueInstance,
  waitFor,
  type ClientSocket,
} from '../contract/harness';
import { baseEnv, serve } from '../tools/serve-child';
import { terminalDataBytes } from '../../server/contracts/terminal-data';

const MiB = 1024 * 1024;

let child: ChildProcess;
let url = '';
let exited: number | null | undefined;
let dataDir = '';
const instance = uniqueInstance('inflood');
const sockets: ClientSocket[] = [];

function rssOf(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-inflood-'));
  const server = await serve(baseEnv(instance, dataDir, { BERTH_MAX_MESSAGE: '64k', BERTH_INPUT_QUEUE: '256k', BERTH_TERMINALS_PER_MACHINE: '3' }));
  child = server.child;
  url = server.url;
  child.on('exit', (code) => (exited = code));
}, 60_000);

afterAll(async () => {
  for (const s of sockets) s.close();
  if (child && exited === undefined) {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  await removeInstanceObjects(instance);
  fs.rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

async function startShellLab(name: string): Promise<{ socket: ClientSocket; sessionId: string }> {
  const student = await join(url, name);
  const r = await api(url, 'POST', '/api/sessions', { cookie: student.cookie, body: { labId: 'shell-only' } });
  if (r.status !== 200) throw new Error(`start: ${r.status} ${JSON.stringify(r.json)}`);
  const sessionId: string = r.json.session.id;
  await waitFor(`session ${sessionId} running`, async () => (await api(url, 'GET', `/api/sessions/${sessionId}`, { cookie: student.cookie })).json.session?.state === 'running', 90_000, 200);
  const socket = await connect(url, student.cookie);
  sockets.push(socket);
  await ask(socket, 'session:watch', { sessionId });
  return { socket, sessionId };
}

test('a shell that never reads gets input at full speed; Berth holds a bounded amount, tells the sender, and Ctrl-C still works', async () => {
  const { socket, sessionId } = await startShellLab('flooder');
  const term = new TermClient(socket, sessionId, 'box');
  const slow: Array<{ slow: boolean; dropped: number }> = [];
  socket.on('terminal:slow', (e) => {
    if (e.terminalId === 'box') slow.push({ slow: e.slow, dropped: e.dropped });
  });
  expect((await term.attach('box')).ok).toBe(true);
  // The marker is put together by the shell, so the echo of the typed line does not match it.
  term.type('echo "sle""eping"; sleep 1d\r');
  await term.waitText('sleeping');

  // From here on only the tail of the output matters; keeping megabytes of echoed x's would only slow the client.
  let tail = '';
  socket.on('terminal:data', (e) => {
    if (e.terminalId === 'box') tail = (tail + Buffer.from(terminalDataBytes(e.data)).toString('latin1')).slice(-4096);
  });
  term.chunks = [];
  const keepTailOnly = setInterval(() => (term.chunks = []), 200);

  const before = rssOf(child.pid!);
  const message = 'x'.repeat(60 * 1024);
  let sent = 0;
  while (sent < 256 * MiB) {
    for (let i = 0; i < 64; i++) {
      term.type(message);
      sent += message.length;
    }
    // A round trip now and then keeps the client's own buffer small; the server reads as fast as it can.
    await ask(socket, 'session:watch', { sessionId });
  }
  const after = rssOf(child.pid!);

  expect(exited).toBeUndefined();
  // 256 MiB went in; Berth kept well under a tenth of it (a queue of 256 KiB, plus garbage not yet collected).
  expect(after - before).toBeLessThan(64 * MiB);
  expect(slow[0]).toEqual({ slow: true, dropped: expect.any(Number) });

  // Ctrl-C jumps what is queued; readline's own Ctrl-C then clears the line of x's the shell read.
  try {
    await waitFor(() => `a prompt after Ctrl-C (got …${JSON.stringify(tail.slice(-200))})`, async () => {
      term.type('\x03');
      term.type('\x03echo "ali""ve"\r');
      return waitFor('alive', () => tail.includes('alive'), 1000, 50).then(() => true, () => false);
    }, 60_000, 0);
  } finally {
    clearInterval(keepTailOnly);
  }
}, 240_000);

test('one input message larger than BERTH_MAX_MESSAGE is refused with the field named', async () => {
  const { socket, sessionId } = await startShellLab('paster');
  const term = new TermClient(socket, sessionId, 'box');
  expect((await term.attach('box')).ok).toBe(true);
  const reply = await ask<{ ok: boolean; error?: string }>(socket, 'terminal:input', { sessionId, terminalId: 'box', data: 'y'.repeat(100 * 1024) });
  expect(reply.ok).toBe(false);
  expect(reply.error).toMatch(/^invalid terminal:input: data: .*65536 bytes \(BERTH_MAX_MESSAGE\)/);
  // One just under the limit is typed as usual: a thousand short lines into cat (a terminal line holds 4 KiB at most).
  // Pasted once cat reads (the shell's own line editor would take the first line otherwise).
  term.type('echo "rea""dy"; cat > /tmp/paste\r');
  await term.waitText('ready');
  term.type(`${'z'.repeat(59)}\r`.repeat(1000));
  term.type('\x04');
  term.type('wc -l < /tmp/paste\r');
  await term.waitText(/[\r\n]1000\r\n/, 30_000);
}, 120_000);

test('terminals past the per-machine cap are refused with a clear error; closing one makes room', async () => {
  const { socket, sessionId } = await startShellLab('tabber');
  const ids = ['box', 'box:2', 'box:3', 'box:4'];
  const terms = ids.map((id) => new TermClient(socket, sessionId, id));
  for (const t of terms.slice(0, 3)) expect((await t.attach('box')).ok).toBe(true);
  const refused = await terms[3].attach('box');
  expect(refused.ok).toBe(false);
  expect(refused.error).toMatch(/box already has 3 terminals open .*close one first/);
  socket.emit('terminal:close', { sessionId, terminalId: 'box:2' });
  await waitFor('room for another terminal', async () => (await terms[3].attach('box')).ok, 20_000, 200);
  terms[3].type('echo "fo""urth"\r');
  await terms[3].waitText('fourth');
}, 120_000);
