import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { api, join, removeInstanceObjects, waitFor } from '../contract/harness';
import { baseEnv, serve, type ServeChild } from '../tools/serve-child';
import { startLab, waitSessionState } from './lab-driver';

/**
 * The Docker engine stopped and started again under a running Berth. Too
 * disruptive for a machine other people's tests share, so it runs only with
 * BERTH_TEST_ENGINE_RESTART=1 (CI on a machine of its own). The commands are
 * BERTH_TEST_ENGINE_STOP / BERTH_TEST_ENGINE_START (default: systemctl).
 */
const enabled = process.env.BERTH_TEST_ENGINE_RESTART === '1';
const STOP = process.env.BERTH_TEST_ENGINE_STOP || 'systemctl stop docker.socket docker';
const START = process.env.BERTH_TEST_ENGINE_START || 'systemctl start docker';
jest.setTimeout(300_000);

const instance = `rel-engine-${Math.random().toString(36).slice(2, 8)}`;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-engine-'));
let server: ServeChild | undefined;

afterAll(async () => {
  if (server && server.child.exitCode === null) {
    server.child.kill('SIGTERM');
    await server.exited;
  }
  if (enabled) await removeInstanceObjects(instance).catch(() => undefined);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function engineUp(url: string): Promise<number | undefined> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('berth_engine_up '));
  return line ? Number(line.split(' ')[1]) : undefined;
}

(enabled ? test : test.skip)('Berth says the engine is gone, does not crash, and gets its lab back when the engine returns', async () => {
  server = await serve(baseEnv(instance, dataDir));
  const student = await join(server.url, 'Ada');
  const sessionId = await startLab(server.url, student, 'shell-only');
  await waitSessionState(server.url, student, sessionId, ['running']);

  execSync(STOP, { stdio: 'inherit' });
  try {
    await waitFor('berth_engine_up 0', async () => (await engineUp(server!.url)) === 0, 90_000, 1000);
    expect(server.child.exitCode).toBeNull();
    expect(server.output()).toMatch(/the Docker engine is not answering/);
    const health = await api(server.url, 'GET', '/api/health');
    expect(health.status).toBe(200);
  } finally {
    execSync(START, { stdio: 'inherit' });
  }
  await waitFor('berth_engine_up 1', async () => (await engineUp(server!.url)) === 1, 120_000, 1000);
  expect(server.output()).toMatch(/the Docker engine answers again/);
  // Machines have no restart policy: after the engine's restart the lab is paused or running, never lost.
  const state = await waitSessionState(server.url, student, sessionId, ['running', 'paused'], 120_000);
  if (state === 'paused') {
    const resumed = await api(server.url, 'POST', `/api/sessions/${sessionId}/resume`, { cookie: student.cookie });
    expect(resumed.status).toBe(200);
    await waitSessionState(server.url, student, sessionId, ['running']);
  }
});
