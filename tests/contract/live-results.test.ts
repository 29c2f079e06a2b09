/**
 * Contract: results of a scripted class of three students with different
 * progress, on real machines. Both CSVs are parsed (RFC 4180) and compared
 * row by row and column by column; the JSON says the same; a restart and an
 * instructor's reset keep it.
 */
import fs from 'node:fs';
import type { BackendState } from '../../server/backend/lab-backend';
import { RESULT_LAB_COLUMNS, RESULT_STEP_COLUMNS, type ClassAnalyticsView, type ResultsView } from '../../server/contracts/classroom';
import { parseCsv } from '../../server/live/csv';
import { api, ask, connect, removeInstanceObjects, startBerth, startLab, type Berth, type ClientSocket, type Student } from './harness';
import { createClass, joinClass, liveLabsDir, setupOwner, type Instructor } from './live-helpers';

const LAB = 'three-steps';
let labsDir: string;
let berth: Berth;
let owner: Instructor;
let classId: string;
let ada: Student;
let bob: Student;
let cy: Student;
const sockets: ClientSocket[] = [];

const sheet = (ms: number | null | undefined) => (ms == null ? '' : new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19).replace('T', ' '));

async function touch(sessionId: string, file: string): Promise<void> {
  const row = berth.server.ctx.sessions.get(sessionId)!;
  const r = await berth.server.ctx.backend.exec(row.backendState as BackendState, 'box', `touch ${file}`, { timeoutMs: 10_000, outputCapBytes: 4096 });
  expect(r.exitCode).toBe(0);
}

async function check(sessionId: string, step: number, expected: 'passed' | 'failed', trigger: 'button' | 'timer' = 'button'): Promise<void> {
  const event = await berth.server.ctx.progress.runCheck(sessionId, step, trigger);
  expect(event?.status).toBe(expected);
}

async function studentSocket(s: Student, sessionId: string): Promise<ClientSocket> {
  const socket = await connect(berth.url, s.cookie);
  sockets.push(socket);
  expect(await ask(socket, 'session:watch', { sessionId })).toEqual({ ok: true });
  return socket;
}

async function get(route: string): Promise<{ status: number; text: string; at: number; type: string }> {
  const res = await fetch(`${berth.url}/api/instructor/classes/${classId}/${route}`, { headers: { cookie: owner.cookie } });
  return { status: res.status, text: await res.text(), at: Number(res.headers.get('x-generated-at')), type: res.headers.get('content-type') ?? '' };
}

beforeAll(async () => {
  labsDir = liveLabsDir();
  berth = await startBerth('ct-live-results', { BERTH_LABS_DIR: labsDir });
  owner = await setupOwner(berth);
  const cls = await createClass(berth, owner, 'Period 3', [LAB]);
  classId = cls.id;
  // Joined out of alphabetical order: the results are sorted by name all the same.
  cy = await joinClass(berth, cls.joinCode.code!, 'Cy');
  bob = await joinClass(berth, cls.joinCode.code!, 'Bob');
  ada = await joinClass(berth, cls.joinCode.code!, 'Ada');

  // Ada: fails step 1 once (after reading its solution), passes it, passes step 2, answers the quiz: finished.
  const adaSession = await startLab(berth, ada, LAB);
  const adaSocket = await studentSocket(ada, adaSession);
  expect((await ask<{ ok: boolean }>(adaSocket, 'solution:reveal', { sessionId: adaSession, step: 0 })).ok).toBe(true);
  await check(adaSession, 0, 'failed');
  await touch(adaSession, '/tmp/a');
  await check(adaSession, 0, 'passed');
  expect(await ask(adaSocket, 'step:goto', { sessionId: adaSession, step: 1 })).toEqual({ ok: true });
  await touch(adaSession, '/tmp/b');
  await check(adaSession, 1, 'passed');
  expect(await ask(adaSocket, 'step:goto', { sessionId: adaSession, step: 2 })).toEqual({ ok: true });
  const quizId = berth.server.ctx.catalog.get(LAB)!.steps[2].quizzes[0].id;
  expect(await ask(adaSocket, 'quiz:answer', { sessionId: adaSession, step: 2, quizId, choices: [0] })).toMatchObject({ ok: true, correct: true });

  // Bob: two hints, passes step 1 first time, then fails step 2 twice the same way without
  // touching anything (one attempt), and Berth's background re-runs fail it too (no attempt): failing.
  const bobSession = await startLab(berth, bob, LAB);
  const bobSocket = await studentSocket(bob, bobSession);
  for (let i = 0; i < 2; i++) expect((await ask<{ ok: boolean }>(bobSocket, 'hint:reveal', { sessionId: bobSession, step: 0 })).ok).toBe(true);
  await touch(bobSession, '/tmp/a');
  await check(bobSession, 0, 'passed');
  expect(await ask(bobSocket, 'step:goto', { sessionId: bobSession, step: 1 })).toEqual({ ok: true });
  await check(bobSession, 1, 'failed');
  await check(bobSession, 1, 'failed');
  await check(bobSession, 1, 'failed', 'timer');
  await check(bobSession, 1, 'failed', 'timer');

  // Cy never starts a lab; the instructor marks the first step done.
  const mark = await api(berth.url, 'POST', `/api/instructor/classes/${classId}/actions`, {
    cookie: owner.cookie,
    body: { action: 'mark_done', studentIds: [cy.id], labId: LAB, step: 0, reason: 'absent, did it on paper' },
  });
  expect(mark.json).toEqual({ results: [{ studentId: cy.id, ok: true }] });
}, 180_000);

afterAll(async () => {
  for (const s of sockets) s.close();
  await berth?.dispose();
  if (berth) await removeInstanceObjects(berth.instance);
  if (labsDir) fs.rmSync(labsDir, { recursive: true, force: true });
}, 60_000);

/** The expected step rows, from the times the server recorded (the only values a script cannot know). */
function expectedSteps(): string[][] {
  const ctx = berth.server.ctx;
  const rec = (s: Student, step: number) => ctx.live.steps.get(s.id, LAB, step)!;
  const quizId = ctx.catalog.get(LAB)!.steps[2].quizzes[0].id;
  const titles = ['Make the first file', 'Make the second file', 'Answer a question'];
  const row = (s: Student, step: number, rest: string[]) => [s.name, s.id, LAB, String(step + 1), titles[step], ...rest];
  const passed = (s: Student, step: number) => sheet(rec(s, step).firstPassedAt);
  // Active time is measured by the server (unit-tested in step-recorder.test.ts); here it must be what it recorded.
  const took = (s: Student, step: number) => String(Math.round(rec(s, step).activeMs / 1000));
  return [
    RESULT_STEP_COLUMNS as unknown as string[],
    row(ada, 0, ['passed', passed(ada, 0), '1', '0', 'true', '', '0', took(ada, 0), '', '']),
    row(ada, 1, ['passed', passed(ada, 1), '0', '0', 'false', '', '0', took(ada, 1), '', '']),
    row(ada, 2, ['passed', passed(ada, 2), '0', '0', 'false', `${quizId}=1:true`, '1', took(ada, 2), '', '']),
    row(bob, 0, ['passed', passed(bob, 0), '0', '2', 'false', '', '0', took(bob, 0), '', '']),
    row(bob, 1, ['failing', '', '1', '0', 'false', '', '0', took(bob, 1), '', '']),
    row(bob, 2, ['not_reached', '', '0', '0', 'false', '', '0', '', '', '']),
    row(cy, 0, ['marked', '', '0', '0', 'false', '', '0', took(cy, 0), owner.name, 'absent, did it on paper']),
    row(cy, 1, ['not_reached', '', '0', '0', 'false', '', '0', '', '', '']),
    row(cy, 2, ['not_reached', '', '0', '0', 'false', '', '0', '', '', '']),
  ];
}

function expectedLabs(): string[][] {
  const ctx = berth.server.ctx;
  const records = (s: Student) => [0, 1, 2].flatMap((i) => ctx.live.steps.get(s.id, LAB, i) ?? []);
  const active = (s: Student) => String(records(s).reduce((sum, r) => sum + Math.round(r.activeMs / 1000), 0));
  const p = (s: Student) => ctx.store.getProgress(s.id, LAB);
  // The first start, even after a reset restarted the lab's progress.
  const started = (s: Student) => sheet(Math.min(p(s).startedAt, ...records(s).map((r) => r.reachedAt)));
  // A reset lab keeps its finish: the last of its passes.
  const finished = (s: Student) => sheet(p(s).finishedAt ?? Math.max(...records(s).map((r) => r.firstPassedAt ?? 0)));
  return [
    RESULT_LAB_COLUMNS as unknown as string[],
    [ada.name, ada.id, LAB, '100', '3', '3', started(ada), finished(ada), active(ada)],
    [bob.name, bob.id, LAB, '33', '1', '3', started(bob), '', active(bob)],
    [cy.name, cy.id, LAB, '33', '1', '3', started(cy), '', active(cy)],
  ];
}

test('results.csv: one row per student × step, every column exactly', async () => {
  const r = await get('results.csv');
  expect(r.status).toBe(200);
  expect(r.type).toBe('text/csv; charset=utf-8');
  const rows = parseCsv(r.text);
  expect(rows).toEqual(expectedSteps());
  // YYYY-MM-DD HH:MM:SS (UTC): the form Excel, LibreOffice and Sheets read as a date.
  for (const row of rows.slice(1)) if (row[6]) expect(row[6]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
});

test('results-labs.csv: one row per student × lab, every column exactly', async () => {
  const r = await get('results-labs.csv');
  expect(r.status).toBe(200);
  const rows = parseCsv(r.text);
  expect(rows).toEqual(expectedLabs());
  for (const row of rows.slice(1)) for (const date of [row[6], row[7]]) if (date) expect(date).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
});

test('results.json holds the same rows, typed', async () => {
  const r = await get('results.json');
  const view = JSON.parse(r.text) as ResultsView;
  expect(view).toMatchObject({ classId, className: 'Period 3' });
  const asCsv = (rows: Array<Record<string, unknown>>, columns: readonly string[]) => [
    [...columns],
    ...rows.map((row) => columns.map((c) => (row[c] === null ? '' : String(row[c])))),
  ];
  expect(asCsv(view.steps, RESULT_STEP_COLUMNS)).toEqual(expectedSteps());
  expect(asCsv(view.labs, RESULT_LAB_COLUMNS)).toEqual(expectedLabs());
  expect(view.steps[0]).toMatchObject({ step: 1, attempts: 1, solution_viewed: true });
});

test('analytics: funnel, failing checks with their lines, time spread of passes', async () => {
  const r = await get('analytics');
  const view = JSON.parse(r.text) as ClassAnalyticsView;
  const [s0, s1, s2] = view.labs[0].steps;
  expect(s0).toMatchObject({ reached: 3, passed: 2, failedRuns: 1, topFails: [{ line: '/tmp/a is missing', count: 1 }] });
  // The box plot and the summary's median are the active time time_on_step_s reports (Cy's mark is not a pass).
  const active = (s: Student, step: number) => berth.server.ctx.live.steps.get(s.id, LAB, step)!.activeMs;
  const [lo, hi] = [active(ada, 0), active(bob, 0)].sort((a, b) => a - b);
  expect(s0.timeMs).toMatchObject({ min: lo, median: (lo + hi) / 2, max: hi });
  expect(s1.timeMs).toMatchObject({ min: active(ada, 1), max: active(ada, 1) });
  expect(berth.server.ctx.live.grid(classId)!.summary.medianStepMs[LAB].slice(0, 2)).toEqual([(lo + hi) / 2, active(ada, 1)]);
  expect(s1).toMatchObject({ reached: 2, passed: 1, failedRuns: 1, topFails: [{ line: '/tmp/b is missing', count: 1 }] });
  expect(s2).toMatchObject({ reached: 1, passed: 1, failedRuns: 0, topFails: [] });
});

test("an instructor's reset restarts the lab and keeps its results", async () => {
  const before = JSON.parse((await get('results.json')).text) as ResultsView;
  const r = await api(berth.url, 'POST', `/api/instructor/classes/${classId}/actions`, { cookie: owner.cookie, body: { action: 'reset', studentIds: [ada.id] } });
  expect(r.json).toEqual({ results: [{ studentId: ada.id, ok: true }] });
  const fresh = berth.server.ctx.store.studentSessions(ada.id)[0];
  await berth.server.ctx.sessions.settled(fresh.id);
  expect(berth.server.ctx.store.getProgress(ada.id, LAB)).toMatchObject({ currentStep: 0, completed: [], finishedAt: null });
  const after = JSON.parse((await get('results.json')).text) as ResultsView;
  expect(after.steps).toEqual(before.steps);
  expect(after.labs.find((l) => l.student_id === ada.id)).toEqual(before.labs.find((l) => l.student_id === ada.id));
  expect(parseCsv((await get('results-labs.csv')).text)).toEqual(expectedLabs());
  // The live grid shows the new run: step 1 current again, the rest not reached.
  const row = berth.server.ctx.live.grid(classId)!.rows.find((x) => x.studentId === ada.id)!;
  expect(row.cells[LAB].map((c) => c.state)).toEqual(['current', 'not_reached', 'not_reached']);
}, 90_000);

test('a restart keeps every result, to the second: nothing grows while no one works; an archived class is read-only and still exports', async () => {
  const before = JSON.parse((await get('results.json')).text) as ResultsView;
  await berth.restart();
  const after = JSON.parse((await get('results.json')).text) as ResultsView;
  expect(after.steps).toEqual(before.steps);
  expect(after.labs).toEqual(before.labs);

  const patch = await api(berth.url, 'PATCH', `/api/instructor/classes/${classId}`, { cookie: owner.cookie, body: { archived: true } });
  expect(patch.status).toBe(200);
  const refused = await api(berth.url, 'POST', `/api/instructor/classes/${classId}/broadcast`, { cookie: owner.cookie, body: { text: 'hello' } });
  expect(refused.status).toBe(409);
  expect(refused.json.code).toBe('conflict');
  const csv = await get('results.csv');
  expect(csv.status).toBe(200);
  expect(parseCsv(csv.text)).toEqual(expectedSteps());
}, 60_000);
