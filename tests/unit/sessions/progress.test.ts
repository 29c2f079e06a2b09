import { SessionError, stateOf } from '../../../server/sessions/session-manager';
import { started, student, world, type World } from './fake-world';

/** Unlocking and finishing on the fake backend (lab step-setup: check, check, nothing; lab hello: check, quiz). */
describe('progress', () => {
  let w: World;
  afterEach(async () => w.close());

  const touch = (w: World, id: string, file: string) => w.backend.machine(stateOf(w.sessions.get(id)!)!, 'box').files.set(file, Buffer.alloc(0));

  test('a step is locked until the one before passes its check; the student stays on a passed step until they move on', async () => {
    w = world();
    const ada = student(w);
    const id = await started(w, ada, 'step-setup');
    const locked = (() => {
      try {
        w.progress.goto(id, 1);
      } catch (e) {
        return e;
      }
    })();
    expect((locked as SessionError).code).toBe('conflict');
    expect((await w.progress.runCheck(id, 0, 'button'))?.status).toBe('failed');
    touch(w, id, '/root/one.txt');
    expect((await w.progress.runCheck(id, 0, 'button'))?.status).toBe('passed');
    expect(w.store.getProgress(ada, 'step-setup')).toMatchObject({ currentStep: 0, completed: [0] });
    expect(w.progress.goto(id, 1).currentStep).toBe(1);
    expect(() => w.progress.goto(id, 2)).toThrow(/Finish the current step first/);
  });

  test('the last step without a check finishes the lab when reached', async () => {
    w = world();
    const ada = student(w);
    const id = await started(w, ada, 'step-setup');
    touch(w, id, '/root/one.txt');
    await w.progress.runCheck(id, 0, 'button');
    w.progress.goto(id, 1);
    touch(w, id, '/root/two.txt');
    await w.progress.runCheck(id, 1, 'button');
    const done = w.progress.goto(id, 2);
    expect(done.completed.sort()).toEqual([0, 1, 2]);
    expect(done.finishedAt).not.toBeNull();
  });

  test('a step with a quiz is done only when the quiz is answered right', async () => {
    w = world();
    const ada = student(w);
    const id = await started(w, ada, 'hello');
    const quizId = w.catalog.get('hello')!.steps[1].quizzes[0].id;
    w.backend.machine(stateOf(w.sessions.get(id)!)!, 'docker').files.set('/root/done.txt', Buffer.from('ok'));
    await w.progress.runCheck(id, 0, 'button');
    w.progress.goto(id, 1);
    expect(w.progress.answerQuiz(id, 1, quizId, [1])).toMatchObject({ ok: true, correct: false });
    expect(w.store.getProgress(ada, 'hello').finishedAt).toBeNull();
    expect(w.progress.answerQuiz(id, 1, quizId, [0])).toMatchObject({ ok: true, correct: true });
    expect(w.store.getProgress(ada, 'hello').finishedAt).not.toBeNull();
  });

  test('a check of a lab that is not running is refused before anything runs', async () => {
    w = world();
    const id = await started(w, student(w), 'step-setup');
    await w.sessions.pause(id);
    expect(() => w.progress.checkable(id, 0)).toThrow(/not running/);
  });
});

describe('BERTH_CHECK_TIMEOUT', () => {
  let w: World;
  afterEach(async () => w.close());

  test('is the timeout of a check whose lab sets none; a lab timeout= wins', async () => {
    w = world({ env: { BERTH_CHECK_TIMEOUT: '45' } });
    const a = await started(w, student(w), 'hello');
    await w.progress.runCheck(a, 0, 'button');
    expect(w.backend.execs.at(-1)?.timeoutMs).toBe(45_000);
    const b = await started(w, student(w), 'slow-check');
    await w.progress.runCheck(b, 0, 'button');
    expect(w.backend.execs.at(-1)?.timeoutMs).toBe(2_000);
  });
});
