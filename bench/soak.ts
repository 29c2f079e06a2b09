/**
 * Soak: the reliability suite's two loops at large counts, printed for
 * docs/reliability.md. A `berth serve` child (dist/) serves one instance;
 *   1. SOAK_CYCLES (default 1000) start → use → stop cycles with labs drawn from
 *      SOAK_LABS (default shell-only,hello): objects left after each stop, and the
 *      server's open descriptors and RSS every SOAK_EVERY (100) cycles;
 *   2. SOAK_KILLS (default 100) kill -9 of the server at a random moment while two
 *      students start, stop and reset labs and a fourth student's lab is paused (by the
 *      instructor) or resumed (by its student), then a restart: orphans found, machines
 *      not in the state their session says, whether the third student's lab came back
 *      running and the fourth's paused or running, both with their progress, sessions left
 *      half-done.
 *
 *   npm run build:server && node dist/bench/soak.js
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { io, type Socket } from 'socket.io-client';
import { connectDocker } from '../server/docker/engine';
import { serveBerth } from './berth-child';
import { berthEnv, fmt, hostSummary, median, percentile, printTable, removeInstance, RUNTIME_LABS, runMain, sleep } from './util';
import { terminalDataBytes, type TerminalData } from '../server/contracts/terminal-data';

const CYCLES = Number(process.env.SOAK_CYCLES ?? 1000);
const KILLS = Number(process.env.SOAK_KILLS ?? 100);
const EVERY = Number(process.env.SOAK_EVERY ?? 100);
const LABS = (process.env.SOAK_LABS ?? 'shell-only,hello').split(',');
/** The first machine of each fixture lab: the terminal a student opens. */
const FIRST_MACHINE: Record<string, string> = { 'shell-only': 'box', hello: 'docker' };

const instance = `soak-${Math.random().toString(36).slice(2, 8)}`;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-soak-'));
const docker = connectDocker();

interface Child {
  proc: ChildProcess;
  url: string;
  exited: Promise<void>;
  output(): string;
}

async function serve(): Promise<Child> {
  let out = '';
  const env = { ...process.env, ...berthEnv(RUNTIME_LABS, dataDir, instance, { BERTH_LOG_LEVEL: 'info' }) };
  const { child, url, exited } = await serveBerth(env, (text) => (out += text));
  return { proc: child, url, exited, output: () => out };
}

async function call(url: string, method: string, route: string, cookie?: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown>; setCookie: string | null }> {
  const res = await fetch(url + route, {
    method,
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(cookie ? { cookie } : {}), origin: url },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, json: (await res.json().catch(() => ({}))) as Record<string, unknown>, setCookie: res.headers.get('set-cookie') };
}

async function joinAs(url: string, name: string, code?: string): Promise<{ id: string; cookie: string }> {
  const r = await call(url, 'POST', '/api/join', undefined, code ? { name, code } : { name });
  return { id: (r.json.student as { id: string }).id, cookie: r.setCookie!.split(';')[0] };
}

/** The first instructor (from the setup link a first start logs) and a class with the shell-only lab. */
async function instructorWithClass(child: Child): Promise<{ cookie: string; classId: string; code: string }> {
  let token: string | undefined;
  await until('the setup link in the log', async () => !!(token = /#\/setup\/([^"\s]+)/.exec(child.output())?.[1]), 10_000);
  const setup = await call(child.url, 'POST', '/api/setup', undefined, { token, name: 'Olive Owner', login: 'owner@school.test', password: 'correct horse battery staple' });
  const cookie = setup.setCookie!.split(';')[0];
  const body = { name: 'Soak', labs: ['shell-only'], seats: 30, startsAt: null, endsAt: null, allowRejoinByName: false, limits: { maxRunning: null, sessionMinutes: null, idleMinutes: null } };
  const cls = (await call(child.url, 'POST', '/api/instructor/classes', cookie, body)).json.class as { id: string; joinCode: { code: string } };
  return { cookie, classId: cls.id, code: cls.joinCode.code };
}

async function stateOf(url: string, cookie: string, id: string): Promise<string | undefined> {
  return ((await call(url, 'GET', `/api/sessions/${id}`, cookie)).json.session as { state?: string } | undefined)?.state;
}

async function until(what: string, probe: () => Promise<boolean>, ms = 180_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await sleep(200);
  }
}

async function socketFor(url: string, cookie: string): Promise<Socket> {
  const s = io(url, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie, origin: url } });
  await new Promise<void>((resolve, reject) => {
    s.once('connect', () => resolve());
    s.once('connect_error', reject);
  });
  return s;
}

async function typeAndSee(s: Socket, sessionId: string, machine: string, command: string, expect: string): Promise<void> {
  let text = '';
  s.on('terminal:data', (e: { sessionId: string; terminalId: string; data: TerminalData }) => {
    if (e.sessionId !== sessionId || e.terminalId !== machine) return;
    const bytes = terminalDataBytes(e.data);
    text += Buffer.from(bytes).toString();
    s.emit('terminal:ack', { sessionId, terminalId: machine, bytes: bytes.byteLength });
  });
  const reply = (await s.timeout(60_000).emitWithAck('terminal:attach', { sessionId, machine, terminalId: machine, from: 0, cols: 100, rows: 30 })) as { ok: boolean };
  if (!reply.ok) throw new Error('attach refused');
  s.emit('terminal:input', { sessionId, terminalId: machine, data: `${command}\r` });
  await until(`output ${expect}`, async () => text.includes(expect), 60_000);
}

async function objectCount(): Promise<number> {
  const filters = { label: [`io.berth.instance=${instance}`] };
  const [c, n, v] = await Promise.all([docker.listContainers({ all: true, filters }), docker.listNetworks({ filters }), docker.listVolumes({ filters })]);
  return c.length + n.length + (v.Volumes ?? []).length;
}

function footprint(pid: number): { fds: number; rssMiB: number } {
  const fds = fs.readdirSync(`/proc/${pid}/fd`).length;
  const rss = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return { fds, rssMiB: rss / 1024 };
}

function db<T>(q: (d: Database.Database) => T): T {
  const d = new Database(path.join(dataDir, 'berth.sqlite'), { readonly: true });
  try {
    return q(d);
  } finally {
    d.close();
  }
}

async function cycles(): Promise<void> {
  const child = await serve();
  const student = await joinAs(child.url, 'Soak');
  const rows: Array<Array<string | number>> = [];
  const durations: number[] = [];
  let leftovers = 0;
  let failures = 0;
  const started = Date.now();
  for (let i = 1; i <= CYCLES; i++) {
    const lab = LABS[i % LABS.length];
    const t0 = Date.now();
    try {
      const r = await call(child.url, 'POST', '/api/sessions', student.cookie, { labId: lab });
      const id = (r.json.session as { id: string }).id;
      await until('running', async () => (await stateOf(child.url, student.cookie, id)) === 'running');
      const s = await socketFor(child.url, student.cookie);
      await typeAndSee(s, id, FIRST_MACHINE[lab] ?? 'box', `echo soak-$((${i} + 100000))`, `soak-${i + 100000}`);
      s.close();
      await call(child.url, 'POST', `/api/sessions/${id}/stop`, student.cookie);
      await until('ended', async () => (await stateOf(child.url, student.cookie, id)) === 'ended');
      leftovers += await objectCount();
    } catch (err) {
      failures++;
      console.error(`cycle ${i}: ${err instanceof Error ? err.message : String(err)}`);
    }
    durations.push((Date.now() - t0) / 1000);
    if (i === 1 || i % EVERY === 0 || i === CYCLES) {
      const f = footprint(child.proc.pid!);
      rows.push([i, f.fds, fmt(f.rssMiB), leftovers, failures]);
      console.log(`cycle ${i}/${CYCLES}: fds ${f.fds}, rss ${fmt(f.rssMiB)} MiB, objects left so far ${leftovers}, failed ${failures}`);
    }
  }
  printTable(
    `${CYCLES} start → use → stop cycles (${LABS.join(', ')}) in ${fmt((Date.now() - started) / 60_000, 1)} min; cycle median ${fmt(median(durations), 1)} s, p95 ${fmt(percentile(durations, 95), 1)} s`,
    ['after cycle', 'open fds', 'RSS MiB', 'objects left (sum)', 'failed cycles'],
    rows,
  );
  child.proc.kill('SIGTERM');
  await child.exited;
}

/** Starts shell-only, makes a file in it and passes step 0: a lab with something to lose. */
async function labWithProgress(url: string, student: { id: string; cookie: string }): Promise<string> {
  const r = await call(url, 'POST', '/api/sessions', student.cookie, { labId: 'shell-only' });
  const id = (r.json.session as { id: string }).id;
  await until('lab running', async () => (await stateOf(url, student.cookie, id)) === 'running');
  const s = await socketFor(url, student.cookie);
  await typeAndSee(s, id, 'box', 'touch /tmp/seen; echo ok-$((1+1))', 'ok-2');
  await s.timeout(30_000).emitWithAck('check:run', { sessionId: id, step: 0 });
  s.close();
  return id;
}

function hasStep0(studentId: string): boolean {
  const done = db((d) => d.prepare('SELECT completed FROM progress WHERE student_id = ?').get(studentId) as { completed: string } | undefined);
  return !!done && JSON.parse(done.completed).includes(0);
}

async function kills(): Promise<void> {
  let child = await serve();
  const teacher = await instructorWithClass(child);
  const keeper = await joinAs(child.url, 'Keeper');
  const kept = await labWithProgress(child.url, keeper);
  const napper = await joinAs(child.url, 'Napper', teacher.code);
  const napped = await labWithProgress(child.url, napper);
  const churn = [await joinAs(child.url, 'Churn A'), await joinAs(child.url, 'Churn B')];
  let orphans = 0;
  let halfDone = 0;
  let keeperLost = 0;
  let progressLost = 0;
  let napperLost = 0;
  let mismatched = 0;
  let pauses = 0;
  let resumes = 0;
  const restarts: number[] = [];
  for (let k = 1; k <= KILLS; k++) {
    for (const s of churn) {
      const open = db((d) => d.prepare("SELECT id FROM sessions WHERE student_id = ? AND state IN ('running','paused','starting','queued')").get(s.id) as { id: string } | undefined);
      if (open) void call(child.url, 'POST', `/api/sessions/${open.id}/${Math.random() < 0.5 ? 'stop' : 'reset'}`, s.cookie).catch(() => undefined);
      else void call(child.url, 'POST', '/api/sessions', s.cookie, { labId: 'shell-only' }).catch(() => undefined);
    }
    const napState = db((d) => (d.prepare('SELECT state FROM sessions WHERE id = ?').get(napped) as { state: string }).state);
    if (napState === 'running') {
      pauses++;
      void call(child.url, 'POST', `/api/instructor/classes/${teacher.classId}/actions`, teacher.cookie, { action: 'pause', studentIds: [napper.id] }).catch(() => undefined);
    } else if (napState === 'paused') {
      resumes++;
      void call(child.url, 'POST', `/api/sessions/${napped}/resume`, napper.cookie).catch(() => undefined);
    }
    await sleep(Math.random() * 2500);
    child.proc.kill('SIGKILL');
    await child.exited;
    const t0 = Date.now();
    child = await serve();
    restarts.push((Date.now() - t0) / 1000);
    const rows = db((d) => d.prepare('SELECT id, state FROM sessions').all() as Array<{ id: string; state: string }>);
    const live = new Set(rows.filter((r) => r.state === 'running' || r.state === 'paused').map((r) => r.id));
    halfDone += rows.filter((r) => ['starting', 'stopping', 'resuming'].includes(r.state)).length;
    const containers = await docker.listContainers({ all: true, filters: { label: [`io.berth.instance=${instance}`] } });
    orphans += containers.filter((c) => !live.has(c.Labels['io.berth.session'])).length;
    const running = new Set(rows.filter((r) => r.state === 'running').map((r) => r.id));
    mismatched += containers.filter((c) => live.has(c.Labels['io.berth.session']) && running.has(c.Labels['io.berth.session']) !== (c.State === 'running')).length;
    if ((await stateOf(child.url, keeper.cookie, kept)) !== 'running') keeperLost++;
    if (!['running', 'paused'].includes((await stateOf(child.url, napper.cookie, napped)) ?? '')) napperLost++;
    if (!hasStep0(keeper.id) || !hasStep0(napper.id)) progressLost++;
    if (k % 10 === 0 || k === KILLS)
      console.log(`kill ${k}/${KILLS}: orphans ${orphans}, mismatched ${mismatched}, half-done ${halfDone}, kept lab lost ${keeperLost}, paused lab lost ${napperLost}, progress lost ${progressLost}`);
  }
  printTable(`${KILLS} kill -9 of berth serve during starts, stops, resets, ${pauses} pauses and ${resumes} resumes, then a restart`, ['figure', 'value'], [
    ['orphan containers found after restarts (sum)', orphans],
    ['machines not in their session\'s state after restarts (sum)', mismatched],
    ['sessions left starting/stopping/resuming', halfDone],
    ['restarts where the kept lab was not running', keeperLost],
    ['restarts where the paused/resumed lab was neither paused nor running', napperLost],
    ['restarts where either lab\'s progress was missing', progressLost],
    ['restart to serving, median s', fmt(median(restarts), 2)],
  ]);
  child.proc.kill('SIGTERM');
  await child.exited;
}

async function main(): Promise<void> {
  console.log(`soak on ${hostSummary()}`);
  try {
    if (CYCLES > 0) await cycles();
    if (KILLS > 0) await kills();
  } finally {
    await removeInstance(instance, dataDir);
  }
}

runMain(main);
