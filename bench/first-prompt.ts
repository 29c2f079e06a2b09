/**
 * Time from POST /api/sessions to the first byte of the shell prompt at a
 * socket.io client, as a student's browser would see it: cold (no warm pool)
 * and warm (BERTH_WARM_POOL=2, filled before each run), for a lab with one
 * machine (`hello`) and one with three (`trio`). Median of BENCH_RUNS (default 3).
 *
 *   npm run bench:first-prompt
 */
import { io, type Socket } from 'socket.io-client';
import type { DockerBackend } from '../server/docker/docker-backend';
import type { ClientToServerEvents, ServerToClientEvents } from '../server/contracts/protocol';
import type { RunningServer } from '../server/http/server';
import { post } from './api';
import { poolScenario } from './in-process-berth';
import { fmt, hostSummary, median, printTable, quietServerLogs, runMain, sleep } from './util';
import { TEXT_CHUNKS_AUTH, terminalDataBytes } from '../server/contracts/terminal-data';

const POOL = 2;

interface Sample {
  running: number;
  prompt: number;
  /** Warm runs: each adoption step (they run side by side) and the adoption as a whole. */
  adoption: DockerBackend['lastAdoption'];
}

interface StartedReply {
  session: { id: string };
}

async function oneRun(server: RunningServer, labId: string, firstMachine: string): Promise<Sample> {
  const joined = await post(server.url, '/api/join', { name: 'Bench' });
  const cookie = joined.cookie!.split(';')[0];
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(server.url, { transports: ['websocket'], extraHeaders: { cookie }, auth: { ...TEXT_CHUNKS_AUTH }, forceNew: true, reconnection: false });
  await new Promise<void>((r) => socket.once('connect', () => r()));
  let sessionId = '';
  const running = new Promise<void>((resolve, reject) => {
    socket.on('session:status', (e) => {
      if (e.sessionId !== sessionId) return;
      if (e.state === 'running') resolve();
      if (e.state === 'failed') reject(new Error(e.error));
    });
  });
  const t0 = performance.now();
  const started = await post<StartedReply>(server.url, '/api/sessions', { labId }, cookie);
  sessionId = started.json.session.id;
  await socket.emitWithAck('session:watch', { sessionId });
  if (server.ctx.sessions.get(sessionId)?.state !== 'running') await running;
  const runningAt = performance.now();
  const firstByte = new Promise<number>((resolve) => socket.once('terminal:data', () => resolve(performance.now())));
  const reply = await socket.emitWithAck('terminal:attach', { sessionId, machine: firstMachine, terminalId: firstMachine, from: 0, cols: 120, rows: 32 });
  if (!reply.ok) throw new Error(reply.error);
  const promptAt = await firstByte;
  // Not timed: the machine the student got has the lab's name and env (an adopted pool machine was renamed).
  let seen = '';
  socket.on('terminal:data', (e) => (seen += Buffer.from(terminalDataBytes(e.data)).toString()));
  socket.emit('terminal:input', { sessionId, terminalId: firstMachine, data: `echo "[$(hostname)""]"\r` });
  for (let i = 0; i < 100 && !seen.includes(`[${firstMachine}]`); i++) await sleep(50);
  if (!seen.includes(`[${firstMachine}]`)) throw new Error(`the machine does not call itself ${firstMachine}: ${JSON.stringify(seen.slice(-200))}`);
  socket.close();
  await post(server.url, `/api/sessions/${sessionId}/stop`, {}, cookie);
  const adoption = (server.ctx.backend as DockerBackend).lastAdoption;
  (server.ctx.backend as DockerBackend).lastAdoption = null;
  return { running: runningAt - t0, prompt: promptAt - t0, adoption };
}

async function main(): Promise<void> {
  const runs = Number(process.env.BENCH_RUNS || 3);
  quietServerLogs();
  const quiet = console.log;
  console.log = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith('[berth]')) return;
    quiet(...args);
  };
  console.log(`first-prompt: median of ${runs} runs per row`);
  console.log(hostSummary());
  const rows: Array<Array<string | number>> = [];
  const adoptions: NonNullable<Sample['adoption']>[] = [];
  for (const [label, pool, labId, machine] of [
    ['cold, 1 machine', 0, 'hello', 'docker'],
    ['cold, 3 machines', 0, 'trio', 'node1'],
    [`warm (pool ${POOL}), 1 machine`, POOL, 'hello', 'docker'],
    [`warm (pool ${POOL}), 3 machines`, POOL, 'trio', 'node1'],
  ] as const) {
    const samples = await poolScenario('bench-fp', pool, runs, (server) => oneRun(server, labId, machine));
    rows.push([label, fmt(median(samples.map((s) => s.running))), fmt(median(samples.map((s) => s.prompt))), samples.map((s) => fmt(s.prompt)).join(' / ')]);
    console.log(`  ${label}: ${samples.map((s) => fmt(s.prompt)).join(', ')} ms`);
    for (const s of samples) if (s.adoption) adoptions.push(s.adoption);
  }
  printTable('POST /api/sessions → first prompt byte at the client (ms)', ['scenario', 'running (median)', 'first byte (median)', 'all runs'], rows);
  if (adoptions.length) {
    const steps = ['network', 'rename', 'limits', 'hostname'] as const;
    const sum = adoptions.map((a) => steps.reduce((n, k) => n + a[k], 0));
    printTable(
      `Warm-pool adoption, median of ${adoptions.length} (ms; the steps run side by side, so the adoption takes about the slowest, not the sum)`,
      ['', ...steps, 'sum of steps', 'adoption'],
      [['median', ...steps.map((k) => fmt(median(adoptions.map((a) => a[k])))), fmt(median(sum)), fmt(median(adoptions.map((a) => a.total)))]],
    );
  }
  process.exit(0);
}

runMain(main);
