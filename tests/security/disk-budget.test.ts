/**
 * Without xfs quotas Docker cannot cap a machine's disk, so a student could
 * fill the host's. The watchdog measures what each lab's machines wrote and
 * first warns the student, then pauses the lab (its files kept).
 */
import type { BackendState } from '../../server/backend/lab-backend';
import type { DiskWarningEvent } from '../../server/contracts/protocol';
import { ask, connect, join, startBerth, startLab, waitFor, type Berth, type ClientSocket } from '../contract/harness';

jest.setTimeout(180_000);

let berth: Berth;
let socket: ClientSocket;
let sessionId: string;
const events: DiskWarningEvent[] = [];

beforeAll(async () => {
  // The timer is off (0 s): the test sweeps when it has written, so nothing depends on timing.
  berth = await startBerth('sec-disk', { BERTH_OPEN_JOIN: 'true', BERTH_MACHINE_DISK_BUDGET: '64m', BERTH_DISK_CHECK_SECONDS: '0' });
  const ada = await join(berth.url, 'Ada');
  sessionId = await startLab(berth, ada, 'shell-only');
  socket = await connect(berth.url, ada.cookie);
  socket.on('session:disk', (e) => events.push(e));
  expect(await ask(socket, 'session:watch', { sessionId })).toEqual({ ok: true });
});

afterAll(async () => {
  socket?.close();
  await berth?.dispose();
});

const write = async (mib: number, file: string) => {
  const state = berth.server.ctx.sessions.get(sessionId)!.backendState as BackendState;
  const out = await berth.server.ctx.backend.exec(state, 'box', `head -c ${mib}M /dev/urandom > /root/${file} && sync`, { timeoutMs: 30_000, outputCapBytes: 4096 });
  expect(out.exitCode).toBe(0);
};

test('a lab under its budget is left alone', async () => {
  const [verdict] = await berth.server.ctx.disk!.sweep();
  expect(verdict).toMatchObject({ sessionId, action: 'ok', budgetBytes: 64 * 1024 * 1024 });
  expect(events).toEqual([]);
});

test('past 80% of the budget the student is warned and the lab keeps running', async () => {
  await write(56, 'fill-1');
  const [verdict] = await berth.server.ctx.disk!.sweep();
  expect(verdict.action).toBe('warn');
  expect(verdict.usedBytes).toBeGreaterThanOrEqual(56 * 1024 * 1024);
  await waitFor('the disk warning to reach the browser', () => events.length === 1);
  expect(events[0]).toMatchObject({ sessionId, paused: false, budgetBytes: 64 * 1024 * 1024 });
  expect(events[0].message).toMatch(/of the 64 MiB disk budget/);
  expect(berth.server.ctx.sessions.get(sessionId)?.state).toBe('running');
  // Warned once, not on every sweep.
  await berth.server.ctx.disk!.sweep();
  expect(events).toHaveLength(1);
});

test('past the budget the lab is paused, files kept, and the student told why', async () => {
  await write(16, 'fill-2');
  const [verdict] = await berth.server.ctx.disk!.sweep();
  expect(verdict.action).toBe('pause');
  expect(berth.server.ctx.sessions.get(sessionId)?.state).toBe('paused');
  expect(berth.server.ctx.sessions.detail(sessionId)).toMatch(/paused: its machines use .* disk budget/);
  await waitFor('the pause notice', () => events.some((e) => e.paused));
  // The disk is kept: after a resume the files are still there (and can be deleted).
  await berth.server.ctx.sessions.resume(sessionId);
  await berth.server.ctx.sessions.settled(sessionId);
  const state = berth.server.ctx.sessions.get(sessionId)!.backendState as BackendState;
  const ls = await berth.server.ctx.backend.exec(state, 'box', 'ls /root', { timeoutMs: 10_000, outputCapBytes: 4096 });
  expect(ls.stdout).toMatch(/fill-1/);
});
