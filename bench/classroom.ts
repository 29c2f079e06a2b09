/**
 * A class arriving at once: BENCH_STUDENTS (default 30) students join and
 * start the one-machine `hello` lab at the same moment, each with its own
 * socket.io client, as browsers would. Prints when each student's first
 * prompt byte arrived (median, p90, max), how many waited in the queue, the
 * server's memory, and the host's memory before and after. Nothing is asserted.
 *
 *   npm run bench:classroom            (BENCH_STUDENTS=10 for a lighter run)
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { loadConfig } from '../server/config';
import type { ClientToServerEvents, ServerToClientEvents } from '../server/contracts/protocol';
import { startServer, type RunningServer } from '../server/http/server';
import { fmt, hostSummary, median, percentile, printTable, removeInstanceObjects } from './util';

const LABS = path.join(__dirname, '..', '..', 'tests', 'fixtures', 'runtime-labs');

interface Outcome {
  prompt: number;
  queued: boolean;
}

function hostMemUsedGiB(): number {
  return (os.totalmem() - os.freemem()) / 1024 ** 3;
}

async function student(server: RunningServer, n: number): Promise<Outcome> {
  const joined = await fetch(`${server.url}/api/join`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: `Student ${n}` }) });
  const cookie = joined.headers.get('set-cookie')!.split(';')[0];
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(server.url, { transports: ['websocket'], extraHeaders: { cookie }, forceNew: true, reconnection: false });
  await new Promise<void>((r) => socket.once('connect', () => r()));
  let sessionId = '';
  let queued = false;
  const running = new Promise<void>((resolve, reject) => {
    socket.on('session:status', (e) => {
      if (e.sessionId !== sessionId) return;
      if (e.state === 'queued') queued = true;
      if (e.state === 'running') resolve();
      if (e.state === 'failed') reject(new Error(e.error));
    });
  });
  const t0 = performance.now();
  const res = await fetch(`${server.url}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify({ labId: 'hello' }) });
  const body = (await res.json()) as { session: { id: string; state: string } };
  sessionId = body.session.id;
  if (body.session.state === 'queued') queued = true;
  await socket.emitWithAck('session:watch', { sessionId });
  if (server.ctx.sessions.get(sessionId)?.state !== 'running') await running;
  const firstByte = new Promise<number>((resolve) => socket.once('terminal:data', () => resolve(performance.now())));
  const reply = await socket.emitWithAck('terminal:attach', { sessionId, machine: 'docker', terminalId: 'docker', from: 0, cols: 120, rows: 32 });
  if (!reply.ok) throw new Error(reply.error);
  const prompt = (await firstByte) - t0;
  socket.close();
  return { prompt, queued };
}

async function main(): Promise<void> {
  const students = Number(process.env.BENCH_STUDENTS || 30);
  const quiet = console.log;
  console.log = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith('[berth]')) return;
    quiet(...args);
  };
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-bench-'));
  const instance = `bench-class-${crypto.randomBytes(3).toString('hex')}`;
  const memBefore = hostMemUsedGiB();
  const server = await startServer(
    loadConfig({ ...process.env, BERTH_PORT: '0', BERTH_HOST: '127.0.0.1', BERTH_LABS_DIR: LABS, BERTH_DATA_DIR: dataDir, BERTH_WARM_POOL: '0', BERTH_INSTANCE: instance, BERTH_CHECK_INTERVAL: '0', BERTH_MAX_SESSIONS: String(students) }),
  );
  console.log(`classroom: ${students} students start the one-machine lab at once (warm pool off)`);
  console.log(hostSummary());
  try {
    const t0 = performance.now();
    const outcomes = await Promise.all(Array.from({ length: students }, (_, i) => student(server, i + 1)));
    const wall = performance.now() - t0;
    const prompts = outcomes.map((o) => o.prompt).sort((a, b) => a - b);
    const p90 = percentile(prompts, 90);
    printTable(`${students} students at once`, ['figure', 'value'], [
      ['first prompt, fastest (ms)', fmt(prompts[0])],
      ['first prompt, median (ms)', fmt(median(prompts))],
      ['first prompt, p90 (ms)', fmt(p90)],
      ['first prompt, slowest (ms)', fmt(prompts[prompts.length - 1])],
      ['everyone at a prompt (s)', (wall / 1000).toFixed(1)],
      ['Berth server RSS (MiB)', (process.memoryUsage().rss / 1024 ** 2).toFixed(0)],
      ['host memory used before → after (GiB)', `${memBefore.toFixed(1)} → ${hostMemUsedGiB().toFixed(1)}`],
    ]);
  } finally {
    await server.close({ removeSessions: true });
    await removeInstanceObjects(instance);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
