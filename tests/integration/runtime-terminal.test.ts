/**
 * Runtime: a `yes` flood read by a client that acknowledges slowly keeps the
 * server's memory bounded (the shell is paused, not buffered), Ctrl-C still
 * brings the prompt back; and a terminal closed for good ends its shell in the
 * machine.
 */
import type { BackendState } from '../../server/backend/lab-backend';
import { connect, join, scrollbackOf, sleep, startBerth, startLab, TermClient, waitFor, type Berth, type ClientSocket } from '../contract/harness';

let berth: Berth;
let sessionId: string;
let socket: ClientSocket;
const HIGH = 256 * 1024;
const SCROLLBACK = 512 * 1024;

beforeAll(async () => {
  berth = await startBerth('rt-term', { BERTH_SCROLLBACK: '512k', BERTH_TERMINAL_HIGH_WATER: '256k', BERTH_TERMINAL_LOW_WATER: '32k' });
  const ada = await join(berth.url, 'Ada');
  sessionId = await startLab(berth, ada, 'shell-only');
  socket = await connect(berth.url, ada.cookie);
}, 60_000);

afterAll(async () => {
  socket?.close();
  await berth?.dispose();
}, 60_000);

async function sh(script: string): Promise<string> {
  const row = berth.server.ctx.sessions.get(sessionId)!;
  const r = await berth.server.ctx.backend.exec(row.backendState as BackendState, 'box', script, { timeoutMs: 10_000, outputCapBytes: 65_536 });
  return r.stdout.trim();
}

test('a yes flood with a slow reader pauses the shell and keeps memory bounded; Ctrl-C brings the prompt back', async () => {
  const term = new TermClient(socket, sessionId, 'box', false);
  expect(await term.attach('box', 0)).toEqual({ ok: true, owner: true });
  await term.waitText(/[#$] $/);
  term.ack();
  const terminal = berth.server.ctx.terminals.get(sessionId, 'box')!;
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;

  term.type('yes\r');
  await waitFor('the shell to be paused', () => terminal.isPaused, 15_000, 10);
  // Nothing acknowledged: the client holds at most one high watermark plus one message.
  await sleep(1500);
  const endA = terminal.end;
  expect(term.received).toBeLessThanOrEqual(HIGH + 64 * 1024 + 4096);
  await sleep(1500);
  const endB = terminal.end;
  expect(terminal.isPaused).toBe(true);
  // Paused means paused: at most what was already in the stream's buffers arrived meanwhile.
  expect(endB - endA).toBeLessThan(128 * 1024);

  // Now a slow reader: acknowledge 32 kB every 100 ms for three seconds.
  const peak = { rss: 0, unacked: 0 };
  let acked = term.received - term.unacked;
  for (let i = 0; i < 30; i++) {
    const room = Math.min(32 * 1024, term.received - acked);
    if (room > 0) {
      socket.emit('terminal:ack', { sessionId, terminalId: 'box', bytes: room });
      acked += room;
      term.unacked -= room;
    }
    await sleep(100);
    peak.rss = Math.max(peak.rss, process.memoryUsage().rss);
    peak.unacked = Math.max(peak.unacked, term.received - acked);
  }
  const flowed = terminal.end - endB;
  // The flood moved at the reader's pace (about 1 MB in 3 s), not at the shell's.
  expect(flowed).toBeGreaterThan(256 * 1024);
  expect(flowed).toBeLessThan(4 * 1024 * 1024);
  expect(peak.unacked).toBeLessThanOrEqual(HIGH + 64 * 1024 + 4096);
  // The scrollback is a fixed ring; the process did not grow by anything like the flood.
  expect(scrollbackOf(terminal).length).toBeLessThanOrEqual(SCROLLBACK);
  expect(peak.rss - rssBefore).toBeLessThan(64 * 1024 * 1024);

  // Ctrl-C while paused, then read at full speed: the prompt returns.
  term.type('\x03');
  term.autoAck = true;
  term.ack();
  const before = term.text().length;
  await waitFor('the flood to stop', async () => {
    await sleep(300);
    return !/y\r?\n$/.test(term.text().slice(-4)) && term.text().length > before;
  }, 20_000, 0);
  const marker = await term.run('echo after-flood', 20_000);
  expect(marker).toBe('after-flood');
  expect(await sh('pgrep -x yes || echo none')).toBe('none');
  expect(terminal.isPaused).toBe(false);
  expect(term.gaps).toEqual([]);
}, 90_000);

test('terminal:close ends the shell and its jobs inside the machine', async () => {
  // Interactive shells are `bash -l` (the exec that lists them is `bash -c`).
  const bashes = async () => (await sh("ps -eo pid=,args= | awk '$2 == \"bash\" && $3 == \"-l\" {print $1}' | sort -n | tr '\\n' ' '")).trim();
  const baseline = await bashes();
  const term = new TermClient(socket, sessionId, 'box:2');
  expect(await term.attach('box', 0)).toEqual({ ok: true, owner: true });
  const pid = await term.run('echo $$');
  expect(pid).toMatch(/^\d+$/);
  await term.run('sleep 4242 & disown; sleep 4343 & true');
  expect(await bashes()).toContain(pid);
  expect(await sh("ps -eo args= | grep -c '^sleep 4[23]4[23]$'")).toBe('2');

  socket.emit('terminal:close', { sessionId, terminalId: 'box:2' });
  await waitFor('the terminal to be gone', () => berth.server.ctx.terminals.get(sessionId, 'box:2') === undefined);
  await waitFor('the shell process to be gone', async () => !(await bashes()).split(' ').includes(pid), 10_000, 200);
  expect(await bashes()).toBe(baseline);
  // Its jobs go too, the disowned one included (it ignores the hang-up, not the kill of its session).
  await waitFor('the shell\'s jobs to be gone', async () => (await sh("ps -eo args= | grep -c '^sleep 4[23]4[23]$'")) === '0', 5000, 100);
  expect(await sh('ls /run/berth/ | grep -c "shell-.*pid"')).toBe('1'); // only the first terminal's
}, 60_000);
