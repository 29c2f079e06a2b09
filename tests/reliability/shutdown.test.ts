import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { io } from 'socket.io-client';
import type { NoticeView } from '../../server/contracts/classroom';
import { api, dockerObjects, join, removeInstanceObjects, waitFor, type Student } from '../contract/harness';
import { baseEnv, berth, serve, type ServeChild } from '../tools/serve-child';

/**
 * The two ways a Berth stops. SIGTERM (docker compose stop, an upgrade): open
 * pages are told "Berth is restarting, your lab is kept", the process exits
 * in seconds, the lab machine stays and the next start re-adopts it.
 * `berth down`: every session ended, every Docker object of the instance gone.
 */
jest.setTimeout(180_000);

const instance = `rel-down-${Math.random().toString(36).slice(2, 8)}`;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-down-'));
const env = baseEnv(instance, dataDir);
let server: ServeChild | undefined;
let ada: Student;
let sessionId: string;

async function stopServer(): Promise<{ code: number | null }> {
  server!.child.kill('SIGTERM');
  return server!.exited;
}

afterAll(async () => {
  if (server && server.child.exitCode === null) await stopServer();
  await removeInstanceObjects(instance);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('SIGTERM tells open pages the lab is kept, exits, and the next start re-adopts the machine', async () => {
  server = await serve(env);
  ada = await join(server.url, 'Ada');
  const started = await api(server.url, 'POST', '/api/sessions', { cookie: ada.cookie, body: { labId: 'shell-only' } });
  expect(started.status).toBe(200);
  sessionId = started.json.session.id;
  await waitFor('running', async () => (await api(server!.url, 'GET', `/api/sessions/${sessionId}`, { cookie: ada.cookie })).json.session?.state === 'running', 120_000, 250);

  const socket = io(server.url, { transports: ['websocket'], extraHeaders: { cookie: ada.cookie, origin: server.url } });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  const notices: NoticeView[] = [];
  socket.on('notice' as never, (n: NoticeView) => {
    notices.push(n);
  });

  const { code } = await stopServer();
  socket.close();
  expect(code).toBe(0);
  expect(notices).toEqual([expect.objectContaining({ kind: 'system', text: expect.stringMatching(/^Berth is restarting, your lab is kept/) })]);
  expect((await dockerObjects(instance)).containers).toHaveLength(1);

  server = await serve(env);
  expect(server.output()).toMatch(/1 session\(s\) re-adopted/);
  const after = await api(server.url, 'GET', `/api/sessions/${sessionId}`, { cookie: ada.cookie });
  expect(after.json.session.state).toBe('running');
});

test('berth down refuses while Berth serves; stopped, it ends every session and removes every object of the instance', async () => {
  const refused = berth(['down'], env);
  expect(refused.code).toBe(1);
  expect(refused.out).toMatch(/is serving from .*stop it first/);
  expect((await dockerObjects(instance)).containers).toHaveLength(1);

  await stopServer();
  const down = berth(['down'], env);
  expect(down.out).toMatch(/1 session\(s\) ended/);
  expect(down.code).toBe(0);
  expect(await dockerObjects(instance)).toEqual({ containers: [], networks: [], volumes: [] });

  server = await serve(env);
  const after = await api(server.url, 'GET', `/api/sessions/${sessionId}`, { cookie: ada.cookie });
  expect(after.json.session.state).toBe('ended');
});
