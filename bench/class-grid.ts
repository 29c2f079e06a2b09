/**
 * The instructor's live grid under a busy class: BENCH_STUDENTS (default 30)
 * students of one class work through a two-check lab at once, running checks
 * that fail and then pass. Each lab runs on a plain machine (the `shell`
 * image, no Docker inside). The students share BENCH_MACHINES (default 15)
 * machines over time: Berth runs that many labs at once (BERTH_MAX_SESSIONS),
 * the others queue (their rows change too) and start as students finish and
 * end their labs. A session is a network, and an engine's default address
 * pools hold about 30 networks, which other work on the host shares. One
 * instructor socket watches the class. For every check result we measure the time from the moment the
 * server knew it (the domain event) to the instructor's socket receiving the
 * `class:rows` patch that shows it. Prints a table; nothing is asserted.
 *
 *   npm run build:server && node dist/bench/class-grid.js
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import type { GridRow } from '../server/contracts/classroom';
import type { RunningServer } from '../server/http/server';
import { post as apiPost } from './api';
import { startInProcessBerth } from './in-process-berth';
import { fmt, hostSummary, median, percentile, printTable, runMain, sleep } from './util';

const LAB_ID = 'grid-bench';
const LAB = `---
id: ${LAB_ID}
title: Grid benchmark
summary: Two checked steps on a plain machine.
difficulty: beginner
minutes: 5
machines:
  - name: box
    image: shell
---
For bench/class-grid.ts.

## First

\`\`\`check
test -f /tmp/a || { echo "FAIL: /tmp/a is missing"; exit 1; }
\`\`\`

## Second

\`\`\`check
test -f /tmp/b || { echo "FAIL: /tmp/b is missing"; exit 1; }
\`\`\`
`;

/** When the server knew a check's outcome, keyed by student, step and attempt. */
interface Pending {
  studentId: string;
  step: number;
  kind: 'failed' | 'passed';
  /** For a failure: the attempts count the cell must show. */
  attempts: number;
  at: number;
}

/** A POST that must succeed; the cookie's name=value, or '' when none was set. */
async function post(url: string, route: string, body: unknown, cookie?: string): Promise<{ json: Record<string, any>; cookie: string }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await apiPost(url, route, body, cookie, { expectOk: true });
  return { json: res.json, cookie: (res.cookie ?? '').split(';')[0] };
}

function connect(url: string, cookie: string, auth?: Record<string, string>): Promise<Socket> {
  const socket = io(url, { transports: ['websocket'], extraHeaders: { cookie }, auth, forceNew: true, reconnection: false });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

async function student(server: RunningServer, code: string, n: number, failures: number): Promise<void> {
  const joined = await post(server.url, '/api/join', { code, name: `Student ${String(n).padStart(2, '0')}` });
  const socket = await connect(server.url, joined.cookie);
  const started = await post(server.url, '/api/sessions', { labId: LAB_ID }, joined.cookie);
  const sessionId = started.json.session.id as string;
  // Queued until a machine frees up; then starting, then running.
  const settled = new Promise<void>((resolve) => {
    const check = () => {
      const state = server.ctx.sessions.get(sessionId)?.state;
      if (state === 'running' || state === 'failed' || state === 'ended') {
        socket.off('session:status', check);
        resolve();
      }
    };
    socket.on('session:status', check);
    check();
  });
  await socket.emitWithAck('session:watch', { sessionId });
  await settled;
  await server.ctx.sessions.settled(sessionId);
  const row = server.ctx.sessions.get(sessionId)!;
  if (row.state !== 'running') throw new Error(`student ${n}: lab is ${row.state}: ${row.error}`);
  for (const [step, file] of [[0, '/tmp/a'], [1, '/tmp/b']] as const) {
    for (let i = 0; i <= failures; i++) {
      if (i === failures) await server.ctx.backend.exec(row.backendState as never, 'box', `touch ${file}`, { timeoutMs: 10_000, outputCapBytes: 1024 });
      const result = new Promise<void>((resolve) => {
        const on = (e: { step: number; status: string }) => {
          if (e.step === step && (e.status === 'passed' || e.status === 'failed')) {
            socket.off('check:result', on);
            resolve();
          }
        };
        socket.on('check:result', on);
      });
      await socket.emitWithAck('check:run', { sessionId, step });
      await result;
      // People do not click in lockstep: a little think time spreads the class out.
      await sleep(200 + Math.random() * 800);
    }
    if (step === 0) await socket.emitWithAck('step:goto', { sessionId, step: 1 });
  }
  // Done: the machine goes to the next student in the queue.
  await post(server.url, `/api/sessions/${sessionId}/stop`, {}, joined.cookie);
  socket.close();
}

async function main(): Promise<void> {
  const students = Number(process.env.BENCH_STUDENTS || 30);
  const failures = Number(process.env.BENCH_FAILURES || 2);
  const machines = Math.min(students, Number(process.env.BENCH_MACHINES || 15));
  const labsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-bench-grid-labs-'));
  fs.mkdirSync(path.join(labsDir, LAB_ID));
  fs.writeFileSync(path.join(labsDir, LAB_ID, 'lab.md'), LAB);
  const berth = await startInProcessBerth('bench-grid', {
    dataDirPrefix: 'berth-bench-grid-',
    labsDir,
    // Students join with the class's code: open join stays as the environment has it.
    env: { BERTH_MAX_SESSIONS: String(machines), BERTH_LOG_LEVEL: process.env.BERTH_LOG_LEVEL || 'warn', BERTH_OPEN_JOIN: process.env.BERTH_OPEN_JOIN },
  });
  const { server } = berth;
  console.log(`class-grid: ${students} students on ${machines} machines, ${failures} failing check(s) then a pass on each of 2 steps, one instructor watching`);
  console.log(hostSummary());
  try {
    const ctx = server.ctx;
    const token = ctx.classroom.instructors.setupToken();
    const owner = await post(server.url, '/api/setup', { token, name: 'Bench Owner', login: 'bench', password: 'bench-password-1' });
    const cls = await post(
      server.url,
      '/api/instructor/classes',
      { name: 'Bench class', labs: [LAB_ID], seats: students, startsAt: null, endsAt: null, limits: { maxRunning: null, sessionMinutes: null, idleMinutes: null }, allowRejoinByName: false },
      owner.cookie,
    );
    const classId = cls.json.class.id as string;

    // The server's side of the clock: when each outcome became known (same process, same clock).
    const pending: Pending[] = [];
    const attempts = new Map<string, number>();
    ctx.bus.on('check', (e) => {
      if (e.status !== 'failed' || e.durationMs === undefined) return;
      const row = ctx.sessions.get(e.sessionId);
      if (!row) return;
      const key = `${row.studentId}/${e.step}`;
      attempts.set(key, (attempts.get(key) ?? 0) + 1);
      pending.push({ studentId: row.studentId, step: e.step, kind: 'failed', attempts: attempts.get(key)!, at: performance.now() });
    });
    const passed = new Set<string>();
    ctx.bus.on('progress', (e) => {
      for (const step of e.progress.completed) {
        const key = `${e.studentId}/${step}`;
        if (passed.has(key)) continue;
        passed.add(key);
        pending.push({ studentId: e.studentId, step, kind: 'passed', attempts: 0, at: performance.now() });
      }
    });

    const teacher = await connect(server.url, owner.cookie, { role: 'instructor' });
    const latencies: Record<Pending['kind'], number[]> = { failed: [], passed: [] };
    let patches = 0;
    let rowsSent = 0;
    teacher.on('class:rows', (p: { rows: GridRow[] }) => {
      const now = performance.now();
      patches++;
      rowsSent += p.rows.length;
      for (const row of p.rows) {
        const cells = row.cells[LAB_ID];
        for (let i = pending.length - 1; i >= 0; i--) {
          const w = pending[i];
          if (w.studentId !== row.studentId) continue;
          const cell = cells[w.step];
          const shown = w.kind === 'passed' ? cell.state === 'done' : cell.attempts >= w.attempts;
          if (!shown) continue;
          latencies[w.kind].push(now - w.at);
          pending.splice(i, 1);
        }
      }
    });
    const watch = await teacher.emitWithAck('class:watch', { classId });
    if (!watch.ok) throw new Error(`class:watch: ${watch.error}`);

    const t0 = performance.now();
    const results = await Promise.allSettled(Array.from({ length: students }, (_, i) => student(server, cls.json.class.joinCode.code, i + 1, failures)));
    const wall = (performance.now() - t0) / 1000;
    // The last patches leave within one batching interval.
    await sleep(1000);
    teacher.close();
    const failed = results.filter((r) => r.status === 'rejected');
    for (const f of failed) console.log(`a student failed: ${(f as PromiseRejectedResult).reason}`);

    const rowsFor = (kind: Pending['kind'], label: string) => {
      const v = latencies[kind];
      return v.length ? [label, v.length, fmt(median(v), 1), fmt(percentile(v, 90), 1), fmt(percentile(v, 99), 1), fmt(Math.max(...v), 1)] : [label, 0, '', '', '', ''];
    };
    printTable(
      `check outcome known on the server → instructor's socket has the patch showing it (ms), ${students} students on ${machines} machines`,
      ['outcome', 'samples', 'median', 'p90', 'p99', 'max'],
      [rowsFor('passed', 'check passed → cell done'), rowsFor('failed', 'check failed → cell failing')],
    );
    console.log(`\n${patches} patches carrying ${rowsSent} rows in ${fmt(wall, 1)} s (${fmt(patches / wall, 1)} patches/s, ${fmt(rowsSent / Math.max(1, patches), 1)} rows each); outcomes never shown: ${pending.length}; students failed: ${failed.length}`);
  } finally {
    await berth.close();
    fs.rmSync(labsDir, { recursive: true, force: true });
  }
}

runMain(main, { exitCode: true });
