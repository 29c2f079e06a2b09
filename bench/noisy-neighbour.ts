/**
 * Noisy neighbour: one student's keystroke echo through Berth while another
 * student's lab does its worst, against a quiet baseline from the same run.
 * `berth serve` runs as its own process (dist/), with its default machine
 * limits (BERTH_MACHINE_CPUS 1, _MEMORY 2g, _PIDS 4096). Phases:
 *   1. quiet: both labs running, the neighbour idle at its prompt;
 *   2. noisy: the neighbour types, into its own terminal through Berth,
 *      CPU spinners nested in a container inside its machine and beside it,
 *      a memory hog that runs into its memory limit again and again, a disk
 *      filler (BENCH_DISK_MB, 512, written with fsync, deleted, again) and a
 *      fork bomb last, which the pids limit stops; the echo is measured once
 *      the machine's cgroup shows the bomb at its limit;
 *   3. quiet again, the neighbour's lab ended (how much the host itself
 *      drifted during the run).
 * Each phase types BENCH_KEYS (200) keys and times each echo. Printed: p50 and
 * p95 per phase, the noisy ones as ratios to the first quiet phase (issue 15's
 * target: p50 ≤ 1.5×, p95 ≤ 3×), and what the neighbour's machine was doing.
 *
 *   npm run bench:noisy-neighbour
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../server/contracts/protocol';
import { connectDocker } from '../server/docker/engine';
import { fmt, hostSummary, median, percentile, printTable, removeInstanceObjects, sleep } from './util';

const ROOT = path.join(__dirname, '..', '..');
const LABS = path.join(ROOT, 'tests', 'fixtures', 'runtime-labs');
const CLI = path.join(ROOT, 'dist', 'server', 'cli.js');
const KEYS = Number(process.env.BENCH_KEYS || 200);
const DISK_MB = Number(process.env.BENCH_DISK_MB || 512);
const RAMP_SECONDS = Number(process.env.BENCH_RAMP_SECONDS || 60);

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A student's terminal through Berth: type into it, wait for text, everything acknowledged as it arrives. */
interface Terminal {
  type(data: string): void;
  /** Resolves (with the time) when `text` arrives after the call. */
  next(text: string, ms?: number): Promise<number>;
  bytes(): number;
}

async function startBerth(instance: string, dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const env = {
    ...process.env,
    BERTH_PORT: '0',
    BERTH_HOST: '127.0.0.1',
    BERTH_LABS_DIR: LABS,
    BERTH_DATA_DIR: dataDir,
    BERTH_WARM_POOL: '0',
    BERTH_INSTANCE: instance,
    BERTH_CHECK_INTERVAL: '0',
    BERTH_OPEN_JOIN: 'true',
    // Not below info: the "serving … on" line is how we learn the port.
    BERTH_LOG_LEVEL: 'info',
  };
  const child = spawn(process.execPath, [CLI, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /serving .* on (http:\/\/[^:]+:\d+)/.exec(out);
      if (m) resolve({ child, url: m[1] });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`berth serve exited (${code}) before serving:\n${out.slice(-2000)}`)));
  });
}

async function post(url: string, route: string, body: unknown, cookie?: string): Promise<{ json: Record<string, any>; cookie: string | null }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await fetch(url + route, { method: 'POST', headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) }, body: JSON.stringify(body) });
  return { json: (await res.json()) as Record<string, unknown>, cookie: res.headers.get('set-cookie') };
}

/** Joins, starts the lab, waits until it runs; returns the cookie and session id. */
async function studentWithLab(url: string, name: string, labId: string): Promise<{ cookie: string; sessionId: string }> {
  const cookie = (await post(url, '/api/join', { name })).cookie!.split(';')[0];
  const sessionId: string = (await post(url, '/api/sessions', { labId }, cookie)).json.session.id;
  for (let i = 0; ; i++) {
    const res = await fetch(`${url}/api/sessions/${sessionId}`, { headers: { cookie } });
    const session = ((await res.json()) as { session: { state: string; error?: string } }).session;
    if (session.state === 'running') return { cookie, sessionId };
    if (session.state === 'failed' || i > 1200) throw new Error(`${name}'s lab ${labId} did not start: ${session.state} ${session.error ?? ''}`);
    await sleep(100);
  }
}

async function openTerminal(url: string, cookie: string, sessionId: string, machine: string): Promise<{ socket: Client; terminal: Terminal }> {
  const socket: Client = io(url, { transports: ['websocket'], extraHeaders: { cookie }, forceNew: true });
  await new Promise<void>((r) => socket.once('connect', () => r()));
  let tail = '';
  let total = 0;
  let waiter: { text: string; resolve: (t: number) => void } | null = null;
  socket.on('terminal:data', (e) => {
    if (e.sessionId !== sessionId) return;
    const data = Buffer.from(e.data as Uint8Array);
    socket.emit('terminal:ack', { sessionId, terminalId: machine, bytes: data.length });
    total += data.length;
    // Only the last bytes: a fork bomb's complaints must not pile up here.
    tail = (tail + data.toString('latin1')).slice(-512);
    if (waiter && tail.includes(waiter.text)) {
      const w = waiter;
      waiter = null;
      tail = '';
      w.resolve(performance.now());
    }
  });
  const reply = await socket.emitWithAck('terminal:attach', { sessionId, machine, terminalId: machine, from: 0, cols: 120, rows: 32 });
  if (!reply.ok) throw new Error(`attach ${machine}: ${JSON.stringify(reply)}`);
  const terminal: Terminal = {
    type: (data) => socket.emit('terminal:input', { sessionId, terminalId: machine, data }),
    bytes: () => total,
    next(text, ms = 10_000) {
      tail = '';
      return Promise.race([
        new Promise<number>((resolve) => (waiter = { text, resolve })),
        sleep(ms).then(() => Promise.reject(new Error(`nothing like ${JSON.stringify(text)} within ${ms} ms (${total} bytes received so far)`))),
      ]);
    },
  };
  return { socket, terminal };
}

/** Runs a command line in a terminal and waits for the marker it prints last. */
async function run(t: Terminal, line: string, ms = 120_000): Promise<void> {
  const marker = crypto.randomBytes(4).toString('hex');
  const seen = t.next(`done-${marker}`, ms);
  // The marker is split in the command so that the echo of the line itself does not match.
  t.type(`${line}; echo "done-""${marker}"\r`);
  await seen;
}

async function echo(t: Terminal, keys: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < keys; i++) {
    const key = 'abcdefghijklmnopqrstuvwxyz'[i % 26];
    const seen = t.next(key, 30_000);
    const t0 = performance.now();
    t.type(key);
    samples.push((await seen) - t0);
    if (i % 40 === 39) {
      // Ctrl-U clears the line so it never grows long enough to matter.
      t.type('\x15');
      await sleep(100);
    }
  }
  t.type('\x15');
  await sleep(200);
  return samples;
}

interface MachineSample {
  cpuPercent: number;
  memMiB: number;
  pids: number;
}

/** The neighbour machine's cgroup every 2 s while `during` runs: CPU (% of one core), memory, processes. */
async function watchMachine<T>(containerId: string, during: Promise<T>): Promise<{ result: T; samples: MachineSample[] }> {
  const docker = connectDocker();
  const samples: MachineSample[] = [];
  let done = false;
  const watcher = (async () => {
    while (!done) {
      const s = (await docker
        .getContainer(containerId)
        .stats({ stream: false })
        .catch(() => null)) as Record<string, any> | null; // eslint-disable-line @typescript-eslint/no-explicit-any
      if (s?.cpu_stats?.cpu_usage && s.precpu_stats?.cpu_usage) {
        const cpu = s.cpu_stats.cpu_usage.total_usage - s.precpu_stats.cpu_usage.total_usage;
        const system = s.cpu_stats.system_cpu_usage - s.precpu_stats.system_cpu_usage;
        const cores = s.cpu_stats.online_cpus || os.cpus().length;
        samples.push({ cpuPercent: system > 0 ? (cpu / system) * cores * 100 : 0, memMiB: (s.memory_stats?.usage ?? 0) / 1024 ** 2, pids: s.pids_stats?.current ?? 0 });
      }
      await sleep(2000);
    }
  })();
  try {
    return { result: await during, samples };
  } finally {
    done = true;
    await watcher;
  }
}

async function machineContainer(sessionId: string): Promise<string> {
  const [info] = await connectDocker().listContainers({ filters: { label: [`io.berth.session=${sessionId}`] } });
  if (!info) throw new Error(`no running machine for session ${sessionId}`);
  return info.Id;
}

function load(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');
}

async function main(): Promise<void> {
  console.log(`noisy neighbour: ${KEYS} keystrokes per phase; neighbour's disk filler ${DISK_MB} MB a round`);
  console.log(hostSummary());
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-bench-noisy-'));
  const instance = `bench-noisy-${crypto.randomBytes(3).toString('hex')}`;
  const berth = await startBerth(instance, dataDir);
  const sockets: Client[] = [];
  try {
    // The measured student has a plain shell; the neighbour a Docker-in-Docker machine, for the nested spinners.
    const quiet = await studentWithLab(berth.url, 'Quiet', 'shell-only');
    const noisy = await studentWithLab(berth.url, 'Noisy', 'hello');
    const q = await openTerminal(berth.url, quiet.cookie, quiet.sessionId, 'box');
    const n = await openTerminal(berth.url, noisy.cookie, noisy.sessionId, 'docker');
    sockets.push(q.socket, n.socket);
    await run(q.terminal, 'true');
    await run(n.terminal, 'true');
    const neighbour = await machineContainer(noisy.sessionId);
    // The nested spinners' image, pulled before the quiet phase so that the pull is not part of either.
    await run(n.terminal, 'docker pull -q alpine >/dev/null 2>&1 || docker pull alpine', 300_000);

    const phases: Array<{ name: string; echo: number[]; load: string; machine?: MachineSample[] }> = [];
    const l1 = load();
    phases.push({ name: 'quiet (neighbour idle)', echo: await echo(q.terminal, KEYS), load: l1 });

    // Spinners first, the fork bomb last: once it holds every pid the machine allows, nothing new starts in it.
    await run(n.terminal, "docker run -d --rm --name spin alpine sh -c 'for i in 1 2 3 4; do (while :; do :; done) & done; wait' >/dev/null");
    await run(n.terminal, 'for i in 1 2; do (while :; do :; done) & done');
    await run(n.terminal, '(while :; do head -c 3000M /dev/zero | tail; done) >/dev/null 2>&1 &');
    await run(n.terminal, `(while :; do dd if=/dev/zero of=/root/fill bs=1M count=${DISK_MB} conv=fsync 2>/dev/null; rm -f /root/fill; done) &`);
    // Its complaints ("fork: retry: Resource temporarily unavailable") flood the neighbour's terminal through Berth too.
    n.terminal.type('bomb() { bomb | bomb & }; bomb\r');
    const ramp = Date.now();
    let atLimit = 0;
    while (Date.now() - ramp < RAMP_SECONDS * 1000) {
      const { samples } = await watchMachine(neighbour, sleep(2100));
      atLimit = Math.max(atLimit, ...samples.map((s) => s.pids));
      if (atLimit >= 4096 * 0.9) break;
    }
    console.log(`neighbour ramped up in ${fmt((Date.now() - ramp) / 1000, 1)} s: ${atLimit} processes`);
    const l2 = load();
    const noisyPhase = await watchMachine(neighbour, echo(q.terminal, KEYS));
    phases.push({ name: 'noisy neighbour', echo: noisyPhase.result, load: l2, machine: noisyPhase.samples });
    const neighbourBytes = n.terminal.bytes();

    n.socket.close();
    await post(berth.url, `/api/sessions/${noisy.sessionId}/stop`, {}, noisy.cookie);
    for (let i = 0; i < 600; i++) {
      const res = await fetch(`${berth.url}/api/sessions/${noisy.sessionId}`, { headers: { cookie: noisy.cookie } });
      if (((await res.json()) as { session: { state: string } }).session.state === 'ended') break;
      await sleep(200);
    }
    const l3 = load();
    phases.push({ name: 'quiet again (neighbour ended)', echo: await echo(q.terminal, KEYS), load: l3 });

    const base = phases[0].echo;
    printTable(
      'Keystroke echo through Berth, the measured student (ms)',
      ['phase', 'p50', '× quiet', 'p95', '× quiet', 'max', 'host load (1/5/15 min)'],
      phases.map((p) => [
        p.name,
        fmt(median(p.echo), 2),
        fmt(median(p.echo) / median(base), 2),
        fmt(percentile(p.echo, 95), 2),
        fmt(percentile(p.echo, 95) / percentile(base, 95), 2),
        fmt(Math.max(...p.echo), 1),
        p.load,
      ]),
    );
    const m = noisyPhase.samples;
    if (m.length) {
      printTable('The neighbour machine while the echo was measured (docker stats every 2 s)', ['figure', 'median', 'max'], [
        ['CPU, % of one core (limit 100)', fmt(median(m.map((s) => s.cpuPercent))), fmt(Math.max(...m.map((s) => s.cpuPercent)))],
        ['memory MiB (limit 2048)', fmt(median(m.map((s) => s.memMiB))), fmt(Math.max(...m.map((s) => s.memMiB)))],
        ['processes (limit 4096)', fmt(median(m.map((s) => s.pids))), fmt(Math.max(...m.map((s) => s.pids)))],
      ]);
    }
    console.log(`\nthe neighbour's terminal carried ${fmt(neighbourBytes / 1e6, 1)} MB through Berth meanwhile`);
    const noisyEcho = phases[1].echo;
    const p50 = median(noisyEcho) / median(base);
    const p95 = percentile(noisyEcho, 95) / percentile(base, 95);
    console.log(`target (issue 15): p50 ≤ 1.5× (${fmt(p50, 2)}×: ${p50 <= 1.5 ? 'met' : 'not met'}), p95 ≤ 3× (${fmt(p95, 2)}×: ${p95 <= 3 ? 'met' : 'not met'})`);
  } finally {
    for (const s of sockets) s.close();
    berth.child.kill('SIGTERM');
    await new Promise((r) => berth.child.once('exit', r));
    await removeInstanceObjects(instance);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
