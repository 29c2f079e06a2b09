/**
 * Step history from domain events, in a real SQLite database (in memory) with
 * the real event bus: what the progress service announces is what is recorded.
 */
import { EventBus } from '../../../server/events';
import { NoticeStore } from '../../../server/live/notice-store';
import { recordStepHistory, type StepRecorder } from '../../../server/live/step-recorder';
import { StepStore } from '../../../server/live/step-store';
import { Store } from '../../../server/store/database';
import type { SessionRow } from '../../../server/store/database';
import { progress } from './fixtures';

let store: Store;
let steps: StepStore;
let bus: EventBus;
let clock = 1_000;

const session: SessionRow = {
  id: 'sess00000001',
  studentId: 'ada',
  labId: 'lab-a',
  state: 'running',
  backendState: null,
  createdAt: 0,
  expiresAt: 1e12,
  lastActivityAt: 0,
  extensions: 0,
  error: null,
  endedAt: null,
};

let recorder: StepRecorder;

beforeEach(() => {
  store = new Store(':memory:');
  store.addStudent('ada', 'Ada');
  store.insertSession(session);
  steps = new StepStore(store.db);
  bus = new EventBus();
  clock = 1_000;
  recorder = recordStepHistory(bus, (id) => store.getSession(id), store, steps, () => clock);
});

afterEach(() => store.close());

const failed = (feedback: string, trigger: 'button' | 'prompt' | 'timer' | 'test') =>
  bus.emit('check', { sessionId: session.id, step: 0, status: 'failed', feedback, durationMs: 5, trigger });

test('running reaches the current step; the student\'s failed tries count until the first pass; the pass time never moves', () => {
  bus.emit('status', { sessionId: session.id, studentId: 'ada', state: 'running' });
  expect(steps.get('ada', 'lab-a', 0)).toMatchObject({ reachedAt: 1_000, runReachedAt: 1_000, firstPassedAt: null, failedRuns: 0 });
  clock = 2_000;
  bus.emit('check', { sessionId: session.id, step: 0, status: 'running', trigger: 'button' });
  failed('no file', 'button');
  bus.emit('check', { sessionId: session.id, step: 0, status: 'failed', feedback: 'The check could not run: x', trigger: 'button' });
  clock = 3_000;
  failed('still no file', 'prompt');
  expect(steps.get('ada', 'lab-a', 0)).toMatchObject({ failedRuns: 2, lastStatus: 'failed', lastFail: 'still no file', lastCheckAt: 3_000 });
  clock = 4_000;
  const p = progress({ completed: [0] });
  bus.emit('progress', { sessionId: session.id, studentId: 'ada', progress: p });
  bus.emit('check', { sessionId: session.id, step: 0, status: 'passed', durationMs: 5, trigger: 'prompt' });
  clock = 9_000;
  bus.emit('progress', { sessionId: session.id, studentId: 'ada', progress: progress({ completed: [0], currentStep: 1 }) });
  failed('after', 'button');
  expect(steps.get('ada', 'lab-a', 0)).toMatchObject({ reachedAt: 1_000, firstPassedAt: 4_000, failedRuns: 2 });
  expect(steps.get('ada', 'lab-a', 1)).toMatchObject({ reachedAt: 9_000, firstPassedAt: null });
});

test('background re-runs (every 15 s) are not attempts: they neither count, nor make the step failing, nor show as activity', () => {
  bus.emit('status', { sessionId: session.id, studentId: 'ada', state: 'running' });
  for (let i = 1; i <= 5; i++) {
    clock = 1_000 + i * 15_000;
    failed('no file', 'timer');
  }
  failed('no file', 'test');
  expect(steps.get('ada', 'lab-a', 0)).toMatchObject({ failedRuns: 0, lastStatus: null, lastFail: null, lastCheckAt: null });
  expect(steps.failedRuns(['ada'])).toEqual([]);
});

test('the same failure again with no input from the student in between counts once; after typing it counts again', () => {
  bus.emit('status', { sessionId: session.id, studentId: 'ada', state: 'running' });
  clock = 2_000;
  failed('no file', 'button');
  clock = 3_000;
  failed('no file', 'button');
  failed('no file', 'button');
  expect(steps.get('ada', 'lab-a', 0)).toMatchObject({ failedRuns: 1, lastCheckAt: 3_000 });
  clock = 4_000;
  failed('another line', 'button');
  expect(steps.get('ada', 'lab-a', 0)?.failedRuns).toBe(2);
  clock = 5_000;
  recorder.typed(session.id);
  clock = 6_000;
  failed('another line', 'prompt');
  expect(steps.get('ada', 'lab-a', 0)?.failedRuns).toBe(3);
  expect(steps.failedRuns(['ada']).map((f) => f.feedback)).toEqual(['no file', 'another line', 'another line']);
});

test('a wrong quiz answer is a failed try; a right one is not', () => {
  bus.emit('status', { sessionId: session.id, studentId: 'ada', state: 'running' });
  bus.emit('quiz', { sessionId: session.id, studentId: 'ada', labId: 'lab-a', step: 0, quizId: 'q1', choices: [1], correct: false });
  bus.emit('quiz', { sessionId: session.id, studentId: 'ada', labId: 'lab-a', step: 0, quizId: 'q1', choices: [0], correct: true });
  expect(steps.get('ada', 'lab-a', 0)).toMatchObject({ failedRuns: 1, lastStatus: 'failed', lastFail: 'Wrong answer to question q1' });
  expect(steps.get('ada', 'lab-a', 0)?.quizAnswers).toEqual({ q1: { choices: [0], correct: true } });
  // Quiz answers are not checks: "checks that fail most" leaves them out.
  expect(steps.failedRuns(['ada'])).toEqual([]);
});

test('a marked step is not passed later by the progress event that unlocks it', () => {
  steps.mark('ada', 'lab-a', 0, { id: 'i1', name: 'Grace' }, 'VM broke', 500);
  bus.emit('progress', { sessionId: '', studentId: 'ada', progress: progress({ completed: [0] }) });
  expect(steps.get('ada', 'lab-a', 0)).toMatchObject({ firstPassedAt: null, markedAt: 500, markedByName: 'Grace', markedReason: 'VM broke' });
});

test('a reset restarts the live run of that lab and keeps its results', () => {
  bus.emit('status', { sessionId: session.id, studentId: 'ada', state: 'running' });
  clock = 2_000;
  failed('no file', 'button');
  clock = 3_000;
  bus.emit('progress', { sessionId: session.id, studentId: 'ada', progress: progress({ completed: [0] }) });
  clock = 4_000;
  bus.emit('progress', { sessionId: session.id, studentId: 'ada', progress: progress({ completed: [0], currentStep: 1 }) });
  failed('x', 'button');
  bus.emit('progress', { sessionId: session.id, studentId: 'ada', progress: progress({ completed: [0], currentStep: 1, hintsRevealed: { 1: 2 } }) });
  bus.emit('quiz', { sessionId: session.id, studentId: 'ada', labId: 'lab-a', step: 1, quizId: 'q1', choices: [2], correct: true });
  steps.mark('ada', 'lab-a', 2, { id: 'i1', name: 'Grace' }, 'broke', 4_500);
  const before = steps.forStudents(['ada']);
  bus.emit('progressReset', { studentId: 'ada', labId: 'lab-a' });
  const after = steps.forStudents(['ada']);
  expect(after).toHaveLength(3);
  expect(after.map((r) => ({ ...r, runReachedAt: null, lastStatus: null, lastFail: null }))).toEqual(
    before.map((r) => ({ ...r, runReachedAt: null, lastStatus: null, lastFail: null })),
  );
  expect(after.every((r) => r.runReachedAt === null && r.lastStatus === null && r.lastFail === null)).toBe(true);
  expect(after[0]).toMatchObject({ firstPassedAt: 3_000, failedRuns: 1, activeMs: 2_000 });
  expect(after[1]).toMatchObject({ hintsSeen: 2, quizAnswers: { q1: { choices: [2], correct: true } } });
  expect(after[2]).toMatchObject({ markedByName: 'Grace' });
  // Progress after the reset opens fewer hints: the most ever stays.
  bus.emit('progress', { sessionId: session.id, studentId: 'ada', progress: progress({ currentStep: 1, hintsRevealed: { 1: 1 } }) });
  expect(steps.get('ada', 'lab-a', 1)?.hintsSeen).toBe(2);
  // The lab starts again: step 1 is reached in the new run, first reached time kept.
  clock = 10_000;
  bus.emit('status', { sessionId: session.id, studentId: 'ada', state: 'running' });
  expect(steps.get('ada', 'lab-a', 0)).toMatchObject({ reachedAt: 1_000, runReachedAt: 10_000 });
});

test('active time: gaps between the student\'s moments while running, up to five minutes each; paused, ended and idle time do not count', () => {
  bus.emit('status', { sessionId: session.id, studentId: 'ada', state: 'running' });
  clock = 11_000;
  recorder.typed(session.id);
  clock = 21_000;
  // Background checks are not the student: no moment.
  failed('no file', 'timer');
  clock = 41_000;
  failed('no file', 'button');
  expect(steps.get('ada', 'lab-a', 0)?.activeMs).toBe(40_000);
  // Away for ten minutes: that gap counts nothing.
  clock = 641_000;
  failed('other', 'button');
  expect(steps.get('ada', 'lab-a', 0)?.activeMs).toBe(40_000);
  // Paused for a minute: not counted either.
  clock = 651_000;
  bus.emit('status', { sessionId: session.id, studentId: 'ada', state: 'paused' });
  clock = 711_000;
  bus.emit('status', { sessionId: session.id, studentId: 'ada', state: 'running' });
  clock = 721_000;
  failed('again', 'button');
  expect(steps.get('ada', 'lab-a', 0)?.activeMs).toBe(50_000);
  // Passed: the step stops growing; the time after the pass is not its.
  clock = 731_000;
  bus.emit('progress', { sessionId: session.id, studentId: 'ada', progress: progress({ completed: [0] }) });
  clock = 751_000;
  bus.emit('progress', { sessionId: session.id, studentId: 'ada', progress: progress({ completed: [0], currentStep: 1 }) });
  expect(steps.get('ada', 'lab-a', 0)?.activeMs).toBe(60_000);
  clock = 761_000;
  recorder.typed(session.id);
  expect(steps.get('ada', 'lab-a', 1)?.activeMs).toBe(10_000);
  // Ended: step 2 is left unfinished and grows no more.
  bus.emit('ended', { sessionId: session.id });
  store.updateSession(session.id, { state: 'ended' });
  clock = 9_000_000;
  recorder.typed(session.id);
  bus.emit('progress', { sessionId: session.id, studentId: 'ada', progress: progress({ completed: [0], currentStep: 1 }) });
  expect(steps.get('ada', 'lab-a', 1)?.activeMs).toBe(10_000);
});

test('typing shows at most every 15 seconds per session', () => {
  expect(recorder.typed(session.id)).toBe(true);
  clock = 15_999;
  expect(recorder.typed(session.id)).toBe(false);
  expect(recorder.typedAt(session.id)).toBe(1_000);
  clock = 16_000;
  expect(recorder.typed(session.id)).toBe(true);
  expect(recorder.typedAt(session.id)).toBe(16_000);
});

test('the failed tries for the analytics are the counted ones, kept through a reset', () => {
  store.recordCheck(session.id, 0, 'failed', 'timer line', 5, 'timer');
  failed('no file', 'button');
  bus.emit('check', { sessionId: session.id, step: 0, status: 'passed', durationMs: 5, trigger: 'button' });
  bus.emit('progressReset', { studentId: 'ada', labId: 'lab-a' });
  expect(steps.failedRuns(['ada', 'nobody'])).toEqual([{ studentId: 'ada', labId: 'lab-a', step: 0, feedback: 'no file' }]);
});

test('notices: a message for one student and a class broadcast, kept until dismissed', () => {
  store.addStudent('bob', 'Bob');
  const notices = new NoticeStore(store.db);
  const msg = notices.add({ classId: 'open-practice', studentId: 'ada', kind: 'message', from: 'Grace', text: 'look at step 2' });
  const all = notices.add({ classId: 'open-practice', studentId: null, kind: 'broadcast', from: 'Grace', text: 'break at 10' });
  notices.add({ classId: 'other-class', studentId: null, kind: 'broadcast', from: 'X', text: 'not yours' });
  expect(notices.pendingFor('ada', ['open-practice']).map((n) => n.text)).toEqual(['look at step 2', 'break at 10']);
  expect(notices.pendingFor('bob', ['open-practice']).map((n) => n.text)).toEqual(['break at 10']);
  expect(notices.dismiss(msg.id, 'bob', ['open-practice'])).toBe(false);
  expect(notices.dismiss(all.id, 'ada', ['open-practice'])).toBe(true);
  expect(notices.pendingFor('ada', ['open-practice']).map((n) => n.id)).toEqual([msg.id]);
  expect(notices.pendingFor('bob', ['open-practice']).map((n) => n.id)).toEqual([all.id]);
});
