import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { metricsRoutes } from '../../server/ops/metrics-routes';
import { TermClient, api, connect, createClass, join, removeInstanceObjects, setupInstructor, startBerth, waitFor, type Berth, type ClientSocket, type Student } from './harness';

/**
 * Metrics of a real Berth: what a start, a terminal and a check leave in
 * /metrics, and who may read them (the Berth host itself, or an instructor).
 */
jest.setTimeout(180_000);

let berth: Berth;
let ada: Student;
let socket: ClientSocket;

beforeAll(async () => {
  berth = await startBerth('ct-metrics');
  ada = await join(berth.url, 'Ada');
});

afterAll(async () => {
  socket?.disconnect();
  await berth?.dispose();
  if (berth) await removeInstanceObjects(berth.instance);
});

async function scrape(): Promise<string> {
  const r = await fetch(`${berth.url}/metrics`);
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
  return r.text();
}

function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

test('a start, a terminal and a check show up in the metrics', async () => {
  const before = await scrape();
  expect(value(before, 'berth_sessions{state="running"}')).toBe(0);
  expect(value(before, 'berth_engine_up')).toBe(1);
  expect(before).toContain('berth_process_resident_memory_bytes');

  const r = await api(berth.url, 'POST', '/api/sessions', { cookie: ada.cookie, body: { labId: 'hello' } });
  expect(r.status).toBe(200);
  const sessionId: string = r.json.session.id;
  await berth.server.ctx.sessions.settled(sessionId);
  socket = await connect(berth.url, ada.cookie);
  const term = new TermClient(socket, sessionId, 'docker');
  expect((await term.attach('docker')).ok).toBe(true);
  await term.run('echo ok > /root/done.txt');
  await berth.server.ctx.progress.runCheck(sessionId, 0, 'button');

  const after = await waitFor('check counted', async () => {
    const text = await scrape();
    return value(text, 'berth_check_runs_total{result="passed",trigger="button"}') === 1 ? text : null;
  });
  expect(value(after, 'berth_sessions{state="running"}')).toBe(1);
  expect(value(after, 'berth_queue_length')).toBe(0);
  expect(value(after, 'berth_session_starts_total{result="running"}')).toBe(1);
  expect(value(after, 'berth_machine_start_seconds_count')).toBe(1);
  expect(value(after, 'berth_first_prompt_seconds_count')).toBe(1);
  expect(value(after, 'berth_check_duration_seconds_count{result="passed"}')).toBe(1);
  expect(value(after, 'berth_terminal_bytes_total{direction="in"}')).toBeGreaterThan(10);
  expect(value(after, 'berth_terminal_bytes_total{direction="out"}')).toBeGreaterThan(10);
  expect(value(after, 'berth_active_sockets')).toBe(1);
  expect(value(after, 'berth_warm_pool_machines')).toBe(0);
});

test('the classroom in the metrics: classes by state, students, instructors, takeovers', async () => {
  const owner = await setupInstructor(berth);
  await createClass(berth.url, owner.cookie, { name: 'Period 6', labs: ['hello'], seats: 10 });
  const text = await scrape();
  // Open practice (which holds Ada) and Period 6.
  expect(value(text, 'berth_classes{state="active"}')).toBe(2);
  expect(value(text, 'berth_classes{state="archived"}')).toBe(0);
  expect(value(text, 'berth_students')).toBe(1);
  expect(value(text, 'berth_instructors')).toBe(1);
  expect(value(text, 'berth_takeovers_active')).toBe(0);
});

test('callers relayed by a proxy, and students, get no metrics; the summary wants an instructor', async () => {
  const forwarded = await fetch(`${berth.url}/metrics`, { headers: { 'X-Forwarded-For': '203.0.113.9' } });
  expect(forwarded.status).toBe(403);
  expect(await forwarded.text()).toMatch(/instructors/);
  const summary = await api(berth.url, 'GET', '/api/instructor/metrics-summary', { cookie: ada.cookie });
  expect(summary.status).toBe(401);
  expect(summary.json.error).toMatch(/instructor/);
});

test('the summary for the admin page: current numbers and a series', async () => {
  // The same routes over this Berth's metrics, with every caller taken for an instructor.
  const app = express().use(metricsRoutes(berth.server.ctx.metrics, () => ({ id: 'i' })));
  const server = http.createServer(app).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  try {
    const port = (server.address() as AddressInfo).port;
    const res = await fetch(`http://127.0.0.1:${port}/api/instructor/metrics-summary`, { headers: { 'X-Forwarded-For': '203.0.113.9' } });
    expect(res.status).toBe(200);
    const s = await res.json();
    expect(s).toMatchObject({ engineUp: true, queued: 0, sessions: { running: 1 }, checks: { passed: 1, failed: 0 }, warmPool: 0 });
    expect(s.machineStartP50).toBeGreaterThan(0);
    expect(s.firstPromptP50).toBeGreaterThan(0);
    expect(s.series.length).toBeGreaterThanOrEqual(1);
    expect(s.series[0]).toEqual({ t: expect.any(Number), running: expect.any(Number), queued: 0, sockets: expect.any(Number), rssBytes: expect.any(Number) });
  } finally {
    server.close();
  }
});

test('every response names its request id; a sane one from a reverse proxy is kept, anything else replaced', async () => {
  const fresh = await fetch(`${berth.url}/api/health`);
  expect(fresh.headers.get('x-request-id')).toMatch(/^[A-Za-z0-9_-]{8}$/);
  const kept = await fetch(`${berth.url}/api/health`, { headers: { 'X-Request-Id': 'proxy-42.abc' } });
  expect(kept.headers.get('x-request-id')).toBe('proxy-42.abc');
  const odd = await fetch(`${berth.url}/api/health`, { headers: { 'X-Request-Id': 'a b<script>' } });
  expect(odd.headers.get('x-request-id')).not.toContain('<');
});
