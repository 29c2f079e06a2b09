/**
 * Step history from domain events, in a real SQLite database (in memory) with
 * the real event bus: what the progress service announces is what is recorded.
 */
import { EventBus } from '../../../server/events';
import { NoticeStore } from '../../../server/live/notice-store';
import { recordStepHistory } from '../../../server/live/step-recorder';
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

beforeEach(() => {
  store = new Store(':memory:');
  store.addStudent('ada', 'Ada');
  store.insertSession(session);
  steps = new StepStore(store.db);
  bus = new EventBus();
  clock = 1_000;
  recordStepHistory(bus, (id) => store.getSession(id), store, steps, () => clock);
});

afterEach(() => store.close());

test('running reaches the current step; failures count until the first pass; the pass time never moves', () => {
  bus.emit('status', { sessionId: session.id, studentId: 'ada', state: 'running' });
  expect(steps.get('ada', 'lab-a', 0)).toMatchObject({ reachedAt: 1_000, firstPassedAt: null, failedRuns: 0 });
  clock = 2_000;
  bus.emit('check', { sessionId: session.id, step: 0, status: 'running', trigger: 'button' });
  bus.emit('check', { sessionId: session.id, step: 0, status: 'failed', feedback: 'no file', durationMs: 5, trigger: 'button' });
  bus.emit('check', { sessionId: session.id, step: 0, status: 'failed', feedback: 'The check could not run: x', trigger: 'button' });
  clock = 3_000;
  bus.emit('check', { sessionId: session.id, step: 0, status: 'failed', feedback: 'still no file', durationMs: 5, trigger: 'prompt' });
  expect(steps.get('ada', 'lab-a', 0)).toMatchObject({ failedRuns: 2, lastStatus: 'failed', lastFail: 'still no file', lastCheckAt: 3_000 });
  clock = 4_000;
  const p = progress({ completed: [0] });
  bus.emit('progress', { sessionId: session.id, studentId: 'ada', progress: p });
  bus.emit('check', { sessionId: session.id, step: 0, status: 'passed', durationMs: 5, trigger: 'prompt' });
  clock = 9_000;
  bus.emit('progress', { sessionId: session.id, studentId: 'ada', progress: progress({ completed: [0], currentStep: 1 }) });
  bus.emit('check', { sessionId: session.id, step: 0, status: 'failed', feedback: 'after', durationMs: 5, trigger: 'button' });
  expect(steps.get('ada', 'lab-a', 0)).toMatchObject({ reachedAt: 1_000, firstPassedAt: 4_000, failedRuns: 2 });
  expect(steps.get('ada', 'lab-a', 1)).toMatchObject({ reachedAt: 9_000, firstPassedAt: null });
});

test('a marked step is not passed later by the progress event that unlocks it', () => {
  steps.mark('ada', 'lab-a', 0, { id: 'i1', name: 'Grace' }, 'VM broke', 500);
  bus.emit('progress', { sessionId: '', studentId: 'ada', progress: progress({ completed: [0] }) });
  expect(steps.get('ada', 'lab-a', 0)).toMatchObject({ firstPassedAt: null, markedAt: 500, markedByName: 'Grace', markedReason: 'VM broke' });
});

test('a reset clears the history of that lab', () => {
  bus.emit('status', { sessionId: session.id, studentId: 'ada', state: 'running' });
  expect(steps.forStudents(['ada'])).toHaveLength(1);
  bus.emit('progressReset', { studentId: 'ada', labId: 'lab-a' });
  expect(steps.forStudents(['ada'])).toHaveLength(0);
});

test('failed runs are read from check_runs for the analytics', () => {
  store.recordCheck(session.id, 0, 'failed', 'no file', 5, 'button');
  store.recordCheck(session.id, 0, 'passed', undefined, 5, 'button');
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
