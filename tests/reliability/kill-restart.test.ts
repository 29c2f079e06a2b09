import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { api, docker, join, removeInstanceObjects, sleep, type Student } from '../contract/harness';
import { baseEnv, serve, type ServeChild } from '../tools/serve-child';
import { completedSteps, readDb, runCheck, startLab, studentSocket, useTerminal, waitSessionState } from './lab-driver';

/**
 * kill -9 of `berth serve` at random moments while labs start and stop, then
 * a restart, again and again (RELIABILITY_KILLS, default 8); the labs are started, stopped and reset. After each
 * restart: no Docker object of the instance that belongs to no live session,
 * the lab that was running before is running again with its progress, and no
 * session is left half-started or half-stopped.
 */
const KILLS = Number(process.env.RELIABILITY_KILLS || 8);
jest.setTimeout(120_000 + KILLS * 40_000);

const LAB = 'shell-only';
const instance = `rel-kill-${Math.random().toString(36).slice(2, 8)}`;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-kill-'));
const env = baseEnv(instance, dataDir);
let server: ServeChild | undefined;

afterAll(async () => {
  if (server && server.child.exitCode === null) {
    server.child.kill('SIGKILL');
    await server.exited;
  }
  await removeInstanceObjects(instance);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const LIVE = ['queued', 'starting', 'running', 'paused', 'resuming', 'stopping'];

/** Every labelled container belongs to a session the database calls running or paused, and each such session has its machine. */
async function assertConsistent(): Promise<void> {
  const rows = readDb(dataDir, (db) => db.prepare('SELECT id, state FROM sessions').all() as Array<{ id: string; state: string }>);
  const settling = rows.filter((r) => LIVE.includes(r.state) && r.state !== 'running' && r.state !== 'paused');
  expect(settling).toEqual([]);
  const live = new Set(rows.filter((r) => r.state === 'running' || r.state === 'paused').map((r) => r.id));
  const containers = await docker.listContainers({ all: true, filters: { label: [`io.berth.instance=${instance}`] } });
  const owners = containers.map((c) => c.Labels['io.berth.session']);
  expect(owners.filter((s) => !live.has(s))).toEqual([]);
  for (const id of live) expect(owners).toContain(id);
  const networks = await docker.listNetworks({ filters: { label: [`io.berth.instance=${instance}`] } });
  expect(networks.map((n) => n.Labels?.['io.berth.session']).filter((s) => !s || !live.has(s))).toEqual([]);
}

test(`${KILLS} kill -9 of the server during starts, stops and resets: no orphans, the running lab comes back with its progress`, async () => {
  server = await serve(env);
  // Keeper's lab runs through every kill; its progress must survive them all.
  const keeper = await join(server.url, 'Keeper');
  const kept = await startLab(server.url, keeper, LAB);
  await waitSessionState(server.url, keeper, kept, ['running']);
  const socket = await studentSocket(server.url, keeper);
  await useTerminal(socket, kept, 'box', 'touch /tmp/seen && echo touched-$((40 + 2))', 'touched-42');
  await runCheck(socket, kept, 0);
  socket.close();
  for (let i = 0; i < 100 && !completedSteps(dataDir, keeper.id, LAB).includes(0); i++) await sleep(100);
  expect(completedSteps(dataDir, keeper.id, LAB)).toEqual([0]);

  const churners: Student[] = [await join(server.url, 'Churn A'), await join(server.url, 'Churn B')];
  const open = new Map<string, string>(); // student id → live session id
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);

  for (let k = 0; k < KILLS; k++) {
    // Set work going, then kill at a random moment inside it.
    for (const s of churners) {
      const sessionId = open.get(s.id);
      // A reset is a stop and a fresh start in one request: a kill can land between the two.
      const action = random() < 0.5 ? 'stop' : 'reset';
      if (sessionId) void api(server.url, 'POST', `/api/sessions/${sessionId}/${action}`, { cookie: s.cookie }).catch(() => undefined);
      else void startLab(server.url, s, LAB).catch(() => undefined);
    }
    await sleep(Math.floor(random() * 2500));
    server.child.kill('SIGKILL');
    await server.exited;

    server = await serve(env);
    await assertConsistent();
    // What each churner has open now, whether or not the reply reached us before the kill.
    for (const s of churners) {
      const row = readDb(dataDir, (db) => db.prepare("SELECT id FROM sessions WHERE student_id = ? AND state IN ('running', 'paused')").get(s.id) as { id: string } | undefined);
      if (row) open.set(s.id, row.id);
      else open.delete(s.id);
    }
    expect(await waitSessionState(server.url, keeper, kept, ['running'], 30_000)).toBe('running');
    expect(completedSteps(dataDir, keeper.id, LAB)).toEqual([0]);
  }
  // The kept machine is the same one, with the file the student made before the first kill.
  const after = await studentSocket(server.url, keeper);
  await useTerminal(after, kept, 'box', 'test -f /tmp/seen && echo still-$((40 + 2))', 'still-42');
  after.close();
});
