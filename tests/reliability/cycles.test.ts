import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { api, dockerObjects, join, removeInstanceObjects } from '../contract/harness';
import { baseEnv, serve, type ServeChild } from '../tools/serve-child';
import { processFootprint, startLab, studentSocket, useTerminal, waitSessionState } from './lab-driver';

/**
 * Start → use → stop, many times over, on one `berth serve`: nothing of the
 * instance is left in the engine after each stop, and the server's open file
 * descriptors do not grow with the number of labs it has served. Small count
 * here (RELIABILITY_CYCLES, default 50, issue 15's CI count); bench/soak.ts runs the large one.
 */
const CYCLES = Number(process.env.RELIABILITY_CYCLES || 50);
jest.setTimeout(60_000 + CYCLES * 30_000);

const instance = `rel-cycles-${Math.random().toString(36).slice(2, 8)}`;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-cycles-'));
let server: ServeChild | undefined;

afterAll(async () => {
  if (server && server.child.exitCode === null) {
    server.child.kill('SIGTERM');
    await server.exited;
  }
  await removeInstanceObjects(instance);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test(`${CYCLES} start → use → stop cycles leave no Docker object behind and no descriptor open`, async () => {
  server = await serve(baseEnv(instance, dataDir));
  const student = await join(server.url, 'Cycler');
  const footprints: Array<{ fds: number; rssBytes: number }> = [];
  for (let i = 0; i < CYCLES; i++) {
    const sessionId = await startLab(server.url, student, 'shell-only');
    await waitSessionState(server.url, student, sessionId, ['running']);
    const socket = await studentSocket(server.url, student);
    await useTerminal(socket, sessionId, 'box', `echo cycle-$((${i} + 1000))`, `cycle-${i + 1000}`);
    socket.close();
    const stop = await api(server.url, 'POST', `/api/sessions/${sessionId}/stop`, { cookie: student.cookie });
    expect(stop.status).toBe(200);
    await waitSessionState(server.url, student, sessionId, ['ended']);
    expect(await dockerObjects(instance)).toEqual({ containers: [], networks: [], volumes: [] });
    footprints.push(processFootprint(server.child.pid!));
  }
  // After the first few cycles (lazy modules, pools) the count must stay put, give or take a few sockets.
  const settled = footprints[Math.min(2, footprints.length - 1)];
  const last = footprints[footprints.length - 1];
  expect(last.fds).toBeLessThanOrEqual(settled.fds + 8);
  // Printed for docs/reliability.md (not asserted: memory moves with the garbage collector).
  console.log(`cycles=${CYCLES} fds ${settled.fds}→${last.fds} rss ${(settled.rssBytes / 2 ** 20).toFixed(0)}→${(last.rssBytes / 2 ** 20).toFixed(0)} MiB`);
});
