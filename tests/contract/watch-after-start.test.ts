/**
 * A page that starts watching a session after its last announcement still
 * learns its state. With a warm pool a lab is running before the page has
 * asked to watch it; the page then waited on "Starting…" for an announcement
 * already made (seen in bench/first-prompt-browser.ts, about one start in six).
 */
import { ask, connect, join, startBerth, startLab, waitState, type Berth, type ClientSocket } from './harness';

jest.setTimeout(120_000);

let berth: Berth;
let socket: ClientSocket | undefined;

beforeAll(async () => {
  berth = await startBerth('ct-watch-late');
});

afterAll(async () => {
  socket?.close();
  await berth?.dispose();
});

test('session:watch of a lab already running is answered with its status, running', async () => {
  const ada = await join(berth.url, 'Ada');
  const sessionId = await startLab(berth, ada, 'shell-only');
  await waitState(berth, sessionId, 'running');

  socket = await connect(berth.url, ada.cookie);
  const statuses: Array<{ sessionId: string; state: string }> = [];
  socket.on('session:status', (e: { sessionId: string; state: string }) => statuses.push(e));
  expect(await ask<{ ok: boolean }>(socket, 'session:watch', { sessionId })).toMatchObject({ ok: true });
  for (let waited = 0; statuses.length === 0 && waited < 5_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
  expect(statuses).toEqual([expect.objectContaining({ sessionId, state: 'running' })]);
});
