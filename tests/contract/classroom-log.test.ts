/**
 * Contract: what `berth serve` tells the admin at start. With no instructor
 * yet it logs the one-time setup link (and that link works); with
 * BERTH_OPEN_JOIN=true it logs a warning. Once set up, and with open join
 * off, neither line appears. `berth serve` runs as its own process (dist/).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { api, removeInstanceObjects, uniqueInstance, waitFor } from './harness';
import { baseEnv, serve, type ServeChild } from '../tools/serve-child';

const instance = uniqueInstance('ct-log');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-ct-log-'));
let server: ServeChild | null = null;

afterAll(async () => {
  await stop();
  await removeInstanceObjects(instance);
  fs.rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

async function stop(): Promise<void> {
  if (!server) return;
  server.child.kill('SIGTERM');
  await server.exited;
  server = null;
}

/** The JSON log lines at warn level so far (complete lines only: the last may still be arriving). */
function warnings(s: ServeChild): Array<Record<string, unknown>> {
  return s
    .output()
    .split('\n')
    .slice(0, -1)
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.level === 'warn');
}

test('first start: the setup link is in the log and works; open join is announced as a warning', async () => {
  server = await serve(baseEnv(instance, dataDir, { BERTH_OPEN_JOIN: 'true', BERTH_PUBLIC_URL: '' }));
  const s = server;
  try {
    // Both are announced just after the "serving" line, each line of output possibly in a chunk of its own.
    const setup = await waitFor('the setup link in the log', () => warnings(s).find((l) => typeof l.setupLink === 'string'), 10_000);
    expect(setup.msg).toMatch(/^no instructor yet: open http:\/\/\S+\/#\/setup\/[\w-]+ to create the first one/);
    await waitFor('the open-join warning in the log', () => warnings(s).some((l) => /^BERTH_OPEN_JOIN=true: anyone who can reach Berth can join open practice/.test(String(l.msg))), 10_000);

    const token = /#\/setup\/([\w-]+)$/.exec(String(setup.setupLink))![1];
    const r = await api(s.url, 'POST', '/api/setup', { body: { token, name: 'From The Log', login: 'log@school.test', password: 'a long enough password' } });
    expect(r.status).toBe(200);
  } finally {
    // A failure here must not leave this Berth holding the data folder the next test serves from.
    await stop();
  }
}, 60_000);

test('set up, with open join off: neither line', async () => {
  server = await serve(baseEnv(instance, dataDir, { BERTH_OPEN_JOIN: 'false' }));
  // Long after the door would have been announced (it comes right after "serving").
  await new Promise((r) => setTimeout(r, 1500));
  expect(warnings(server).filter((l) => 'setupLink' in l || /BERTH_OPEN_JOIN/.test(String(l.msg)))).toEqual([]);
  await stop();
}, 60_000);
