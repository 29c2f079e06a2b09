/**
 * A check is the lab's answer key and its judge. The student (root in the
 * machine) must not be able to read it while it runs, make it pass by editing
 * a file it sources, hold Berth's check slots with it, or flood the store
 * through its output. Progress that says "looked at the solution" or "needed
 * three guesses" must survive a reset.
 */
import path from 'node:path';
import type { BackendState } from '../../server/backend/lab-backend';
import { api, join, startBerth, startLab, waitFor, type Berth, type Student } from '../contract/harness';

jest.setTimeout(180_000);

let berth: Berth;
let ada: Student;
let sessionId: string;

beforeAll(async () => {
  berth = await startBerth('sec-checks', {
    BERTH_OPEN_JOIN: 'true',
    BERTH_LABS_DIR: path.join(__dirname, 'fixtures', 'labs'),
    BERTH_CHECK_CONCURRENCY: '1',
  });
  ada = await join(berth.url, 'Ada');
  sessionId = await startLab(berth, ada, 'integrity');
});

afterAll(async () => {
  await berth?.dispose();
});

const ctx = () => berth.server.ctx;
const state = () => ctx().sessions.get(sessionId)!.backendState as BackendState;
/** What the student could do at their prompt (they are root in the machine). */
const asStudent = (script: string) => ctx().backend.exec(state(), 'box', script, { timeoutMs: 20_000, outputCapBytes: 1024 * 1024 });

test("a running check's text shows in no process and no file of the machine", async () => {
  const run = ctx().progress.runCheck(sessionId, 0, 'test');
  const seen: string[] = [];
  // The check sleeps 2 s: look while it runs, as `ps` or `cat /proc/*/cmdline` would.
  await waitFor('the check to be running in the machine', async () => {
    const out = await asStudent(`for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline 2>/dev/null; echo; done`);
    seen.push(out.stdout);
    return out.stdout.split('\n').some((l) => l.trim() === 'sleep 2');
  });
  const files = await asStudent(`grep -rlF -e "SECRET-""ANSWER" /tmp /root /var/tmp /run /dev/shm /etc 2>/dev/null; true`);
  const result = await run;
  expect(seen.join('\n')).not.toContain('SECRET-ANSWER');
  expect(files.stdout.trim()).toBe('');
  expect(result?.status).toBe('failed');
  // The lab's env still reaches the check without any file in the machine being sourced.
  expect(result?.feedback).toBe('not yet');
});

test('profiles and rc files the student edits are not sourced by checks', async () => {
  await asStudent(
    [
      "echo 'exit 0' >> /etc/profile.d/berth-lab.sh",
      "echo 'exit 0' >> /etc/profile",
      "echo 'exit 0' >> /etc/bash.bashrc",
      "echo 'exit 0' >> /root/.bashrc",
      "echo 'exit 0' >> /root/.profile",
      "echo 'exit 0' >> /root/.bash_profile",
    ].join('; '),
  );
  const forged = await ctx().progress.runCheck(sessionId, 0, 'test');
  expect(forged?.status).toBe('failed');
  expect(forged?.feedback).toBe('not yet');
  await asStudent('touch /root/answer-7f3a');
  expect((await ctx().progress.runCheck(sessionId, 0, 'test'))?.status).toBe('passed');
});

test('a hung check is cut at its timeout and gives its class-wide slot back', async () => {
  // BERTH_CHECK_CONCURRENCY=1: if the hung check kept the slot, the next check would never run.
  const hung = await ctx().progress.runCheck(sessionId, 1, 'test');
  expect(hung?.status).toBe('failed');
  expect(hung?.feedback).toMatch(/longer than 2 s and was stopped/);
  const next = await ctx().progress.runCheck(sessionId, 0, 'test');
  expect(next?.status).toBe('passed');
  const left = await asStudent(`for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline 2>/dev/null; echo; done | grep -c '^sleep 600' || true`);
  // Its process group is killed by `timeout`; what escaped with setsid is found by its run tag and killed too.
  expect(Number(left.stdout.trim())).toBe(0);
});

test("a check's output is capped before it is stored or sent", async () => {
  const loud = await ctx().progress.runCheck(sessionId, 2, 'test');
  expect(loud?.status).toBe('failed');
  expect(loud!.feedback!.length).toBeLessThanOrEqual(300);
  const db = (ctx().store as unknown as { db: { prepare(sql: string): { all(...a: unknown[]): Array<{ feedback: string | null }> } } }).db;
  const stored = db.prepare('SELECT feedback FROM check_runs WHERE session_id = ? AND step = 2').all(sessionId);
  expect(stored.length).toBeGreaterThan(0);
  for (const row of stored) expect((row.feedback ?? '').length).toBeLessThanOrEqual(300);
});

test('old check runs are pruned: a session keeps only its latest', () => {
  const store = ctx().store;
  for (let i = 0; i < 260; i++) store.recordCheck('prunetest000', 0, 'failed', `run ${i}`, 1, 'timer');
  const db = (store as unknown as { db: { prepare(sql: string): { all(...a: unknown[]): Array<{ feedback: string }> } } }).db;
  const rows = db.prepare('SELECT feedback FROM check_runs WHERE session_id = ? ORDER BY rowid').all('prunetest000');
  expect(rows.length).toBe(200);
  expect(rows[rows.length - 1].feedback).toBe('run 259');
});

test('a check that reads stdin cannot swallow the rest of its own script', async () => {
  const result = await ctx().progress.runCheck(sessionId, 3, 'test');
  expect(result?.status).toBe('passed');
});

test('quiz attempts are counted and "solution viewed" survives a reset', async () => {
  const quiz = ctx().catalog.get('integrity')!.steps[4].quizzes[0];
  expect(ctx().progress.answerQuiz(sessionId, 4, quiz.id, [1]).correct).toBe(false);
  expect(ctx().progress.answerQuiz(sessionId, 4, quiz.id, [1]).correct).toBe(false);
  expect(ctx().progress.answerQuiz(sessionId, 4, quiz.id, [0]).correct).toBe(true);
  expect(ctx().store.getProgress(ada.id, 'integrity').quizAnswers[quiz.id]).toEqual({ choices: [0], correct: true, attempts: 3 });

  expect(ctx().progress.revealSolution(sessionId, 0).ok).toBe(true);
  const reset = await api(berth.url, 'POST', `/api/sessions/${sessionId}/reset`, { cookie: ada.cookie, body: {} });
  expect(reset.status).toBe(200);
  sessionId = reset.json.session.id;
  await ctx().sessions.settled(sessionId);
  const after = ctx().store.getProgress(ada.id, 'integrity');
  expect(after.solutionsRevealed).toEqual([0]);
  expect(after.completed).toEqual([]);
  expect(after.currentStep).toBe(0);
});
