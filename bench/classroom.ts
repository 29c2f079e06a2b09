/**
 * A class arriving at once: BENCH_STUDENTS (default 30) students join and
 * start the one-machine `hello` lab at the same moment, each with its own
 * socket.io client, as browsers would. Berth runs as its own process
 * (`berth serve`), so its memory and CPU are its own. Prints:
 *  - when each student's first prompt byte arrived (fastest, median, p90, p95,
 *    slowest) and when everyone had one;
 *  - Berth's RSS idle and with every session running (a terminal attached
 *    each), and the difference per session;
 *  - Berth's CPU while the class sits idle at its prompts (BENCH_IDLE_SECONDS, 20);
 *  - memory per idle lab machine as the host counts it (the machine cgroup's
 *    resident memory, its own dockerd included), and host memory before/after;
 *  - where the host's CPU went until everyone had a prompt: Berth, the host's
 *    engine, the lab machines, and everything else (on a shared host, others).
 * BENCH_PREWARM=1: the students are a class, scheduled to begin in a minute,
 * and they start once its scheduled pre-warm has warmed a machine per seat
 * (the class joins with its code); each start lowers the pre-warm's target,
 * so the idle figure is a class at work, not a pool refilling.
 * BENCH_PREWARM=pool: a static warm pool of one machine per student
 * (BERTH_WARM_POOL), which refills while the class sits idle (how this bench
 * measured before 2026-12-07). Nothing is asserted.
 *
 *   npm run bench:classroom            (BENCH_STUDENTS=10 for a lighter run)
 */
import fs from 'node:fs';
import os from 'node:os';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../server/contracts/protocol';
import { connectDocker } from '../server/docker/engine';
import { containerCpuSeconds, engineCpuSeconds, hostBusyCpuSeconds } from './host-cpu';
import { post } from './api';
import { startBerth } from './berth-child';
import { cpuSecondsOf, fmt, hostSummary, median, percentile, printTable, rssOf, runMain, sleep } from './util';
import { TEXT_CHUNKS_AUTH, terminalDataBytes } from '../server/contracts/terminal-data';

const MiB = 1024 ** 2;

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

interface Outcome {
  prompt: number;
  queued: boolean;
  socket: ClientSocket;
}

function hostMemUsedGiB(): number {
  return (os.totalmem() - os.freemem()) / 1024 ** 3;
}

async function student(url: string, n: number, code: string | null): Promise<Outcome> {
  const joined = await fetch(`${url}/api/join`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: `Student ${n}`, ...(code ? { code } : {}) }) });
  const cookie = joined.headers.get('set-cookie')!.split(';')[0];
  const socket: ClientSocket = io(url, { transports: ['websocket'], extraHeaders: { cookie }, auth: { ...TEXT_CHUNKS_AUTH }, forceNew: true, reconnection: false });
  await new Promise<void>((r) => socket.once('connect', () => r()));
  let sessionId = '';
  let queued = false;
  let isRunning = false;
  const running = new Promise<void>((resolve, reject) => {
    socket.on('session:status', (e) => {
      if (e.sessionId !== sessionId) return;
      if (e.state === 'queued') queued = true;
      if (e.state === 'running') {
        isRunning = true;
        resolve();
      }
      if (e.state === 'failed') reject(new Error(e.error));
    });
  });
  const t0 = performance.now();
  const res = await fetch(`${url}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify({ labId: 'hello' }) });
  const body = (await res.json()) as { session: { id: string; state: string } };
  sessionId = body.session.id;
  if (body.session.state === 'queued') queued = true;
  await socket.emitWithAck('session:watch', { sessionId });
  // It may have been running before we watched (a warm machine): ask once, then rely on the events.
  const now = (await (await fetch(`${url}/api/sessions/${sessionId}`, { headers: { cookie } })).json()) as { session: { state: string } };
  if (now.session.state !== 'running' && !isRunning) await running;
  const firstByte = new Promise<number>((resolve) => socket.once('terminal:data', () => resolve(performance.now())));
  const reply = await socket.emitWithAck('terminal:attach', { sessionId, machine: 'docker', terminalId: 'docker', from: 0, cols: 120, rows: 32 });
  if (!reply.ok) throw new Error(reply.error);
  const prompt = (await firstByte) - t0;
  // Acknowledge what the terminal printed, as xterm would once drawn; the socket stays open (an idle student).
  socket.on('terminal:data', (e) => socket.emit('terminal:ack', { sessionId, terminalId: 'docker', bytes: terminalDataBytes(e.data).byteLength }));
  return { prompt, queued, socket };
}

/**
 * The first instructor (through the setup link the server printed) makes a class of the `hello` lab
 * that begins in a minute, inside the pre-warm's lead time; returns its join code.
 */
async function scheduleClass(url: string, printed: () => string, seats: number): Promise<string> {
  // Printed just after the line saying it serves.
  let token: string | undefined;
  for (let waited = 0; !token && waited < 10_000; waited += 100) {
    token = /#\/setup\/([\w-]+)/.exec(printed())?.[1];
    if (!token) await sleep(100);
  }
  if (!token) throw new Error('berth serve printed no setup link');
  const owner = await post(url, '/api/setup', { token, name: 'Bench Owner', login: 'bench', password: 'bench-password-1' }, undefined, { expectOk: true });
  const cls = await post(
    url,
    '/api/instructor/classes',
    { name: 'Bench class', labs: ['hello'], seats, startsAt: Date.now() + 60_000, endsAt: null, limits: { maxRunning: null, sessionMinutes: null, idleMinutes: null }, allowRejoinByName: false },
    owner.cookie!.split(';')[0],
    { expectOk: true },
  );
  return cls.json.class.joinCode.code as string;
}

async function warmPoolSize(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^berth_warm_pool_machines\s+(\d+)/m.exec(text)?.[1] ?? 0);
}

/** Resident memory of each lab machine of the instance, from its cgroup (its own dockerd and everything in it). */
async function machineMemory(instance: string): Promise<number[]> {
  const docker = connectDocker();
  const containers = await docker.listContainers({ filters: { label: [`io.berth.instance=${instance}`] } });
  // Adopted pool machines keep their pool labels but carry the session's name; waiting pool machines are not counted.
  const students = containers.filter((c) => c.Names.some((n) => !n.includes('-pool-')));
  return Promise.all(
    students.map(async (c) => {
      const stats = (await docker.getContainer(c.Id).stats({ stream: false })) as { memory_stats: { usage?: number; stats?: Record<string, number> } };
      const s = stats.memory_stats.stats ?? {};
      // cgroup v1 counts resident memory as total_rss, v2 as anon; page cache is the host's to reclaim.
      return s.total_rss ?? s.rss ?? s.anon ?? stats.memory_stats.usage ?? 0;
    }),
  );
}

/** CPU seconds used so far inside each of the instance's containers (lab machines, waiting pool machines included), by container id. */
async function machinesCpu(instance: string): Promise<Map<string, number>> {
  const containers = await connectDocker().listContainers({ all: true, filters: { label: [`io.berth.instance=${instance}`] } });
  return new Map(containers.map((c) => [c.Id, containerCpuSeconds(c.Id) ?? 0]));
}

/** Where the host's CPU went between two readings, in seconds of one core. */
function cpuShares(before: CpuReading, after: CpuReading): Record<'host' | 'berth' | 'engine' | 'machines', number> {
  let machines = 0;
  for (const [id, sec] of after.machines) machines += sec - (before.machines.get(id) ?? 0);
  return { host: after.host - before.host, berth: after.berth - before.berth, engine: after.engine - before.engine, machines };
}

interface CpuReading {
  host: number;
  berth: number;
  engine: number;
  machines: Map<string, number>;
}

async function readCpu(pid: number, instance: string): Promise<CpuReading> {
  return { host: hostBusyCpuSeconds(), berth: cpuSecondsOf(pid), engine: engineCpuSeconds(), machines: await machinesCpu(instance) };
}

async function main(): Promise<void> {
  const students = Number(process.env.BENCH_STUDENTS || 30);
  const idleSeconds = Number(process.env.BENCH_IDLE_SECONDS || 20);
  const mode = process.env.BENCH_PREWARM === '1' ? 'class' : process.env.BENCH_PREWARM === 'pool' ? 'pool' : 'off';
  const prewarm = mode !== 'off';
  const memBefore = hostMemUsedGiB();
  let printed = '';
  const berth = await startBerth('bench-class', {
    env: {
      BERTH_WARM_POOL: mode === 'pool' ? String(students) : '0',
      BERTH_MAX_SESSIONS: String(students),
      ...(mode === 'class' ? { BERTH_PREWARM_MAX: String(students) } : {}),
    },
    // BENCH_SERVER_LOG=<file> keeps the server's log (JSON lines), where a failed start says why.
    onOutput: (text) => {
      if (printed.length < 100_000) printed += text;
      if (process.env.BENCH_SERVER_LOG) fs.appendFileSync(process.env.BENCH_SERVER_LOG, text);
    },
  });
  const { instance } = berth;
  const pid = berth.child.pid!;
  const how = { class: `a class scheduled a minute ahead, pre-warmed for its ${students} seats first`, pool: `a warm pool of ${students} filled first`, off: 'warm pool off' }[mode];
  console.log(`classroom: ${students} students start the one-machine lab at once (${how})`);
  console.log(hostSummary());
  const sockets: ClientSocket[] = [];
  try {
    const code = mode === 'class' ? await scheduleClass(berth.url, () => printed, students) : null;
    if (prewarm) {
      const deadline = Date.now() + 15 * 60_000;
      while ((await warmPoolSize(berth.url)) < students) {
        if (Date.now() > deadline) throw new Error('the warm pool did not fill within 15 minutes');
        await sleep(1000);
      }
    }
    await sleep(2000);
    const rssIdle = rssOf(pid);
    const cpuBefore = await readCpu(pid, instance);
    const t0 = performance.now();
    const outcomes = await Promise.all(Array.from({ length: students }, (_, i) => student(berth.url, i + 1, code)));
    const wall = performance.now() - t0;
    // Read before the machines are removed: a stopped container's cgroup, and its count, are gone.
    const cpu = cpuShares(cpuBefore, await readCpu(pid, instance));
    sockets.push(...outcomes.map((o) => o.socket));
    const prompts = outcomes.map((o) => o.prompt).sort((a, b) => a - b);

    // The class sits at its prompts: let start-up work finish, then measure.
    await sleep(5000);
    const rssRunning = rssOf(pid);
    const cpu0 = cpuSecondsOf(pid);
    const c0 = performance.now();
    await sleep(idleSeconds * 1000);
    const idleCpu = (100 * (cpuSecondsOf(pid) - cpu0)) / ((performance.now() - c0) / 1000);
    const perMachine = await machineMemory(instance);

    printTable(`${students} students at once`, ['figure', 'value'], [
      ['first prompt, fastest (ms)', fmt(prompts[0])],
      ['first prompt, median (ms)', fmt(median(prompts))],
      ['first prompt, p90 (ms)', fmt(percentile(prompts, 90))],
      ['first prompt, p95 (ms)', fmt(percentile(prompts, 95))],
      ['first prompt, slowest (ms)', fmt(prompts[prompts.length - 1])],
      ['everyone at a prompt (s)', (wall / 1000).toFixed(1)],
      ['students who queued', String(outcomes.filter((o) => o.queued).length)],
      // What the start cost the host, until everyone had a prompt: with nothing else running, host ≈ Berth + engine + machines.
      [
        'CPU until everyone had a prompt (s of one core): host / Berth / host engine / lab machines / the rest (runc, shims, kernel, other users)',
        [cpu.host, cpu.berth, cpu.engine, cpu.machines, cpu.host - cpu.berth - cpu.engine - cpu.machines].map((v) => v.toFixed(1)).join(' / '),
      ],
      ['… per student (ms of one core): Berth / host engine / lab machine', [cpu.berth, cpu.engine, cpu.machines].map((v) => fmt((v * 1000) / students)).join(' / ')],
      ['Berth RSS idle → with the class running (MiB)', `${fmt(rssIdle / MiB)} → ${fmt(rssRunning / MiB)}`],
      ['Berth RSS per running session (MiB)', ((rssRunning - rssIdle) / MiB / students).toFixed(2)],
      [`Berth CPU, class idle at its prompts (% of one core, ${idleSeconds} s)`, idleCpu.toFixed(2)],
      ['memory per idle lab machine, median / max (MiB, cgroup resident)', `${fmt(median(perMachine) / MiB)} / ${fmt(Math.max(...perMachine) / MiB)}`],
      ['host memory used before → after (GiB)', `${memBefore.toFixed(1)} → ${hostMemUsedGiB().toFixed(1)}`],
    ]);
  } finally {
    await berth.stop(sockets);
  }
  process.exit(0);
}

runMain(main);
