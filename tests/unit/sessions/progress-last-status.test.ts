/**
 * The last check result of each step outlives a restart of Berth (read back
 * from check_runs), and a check that cannot run is logged with its cause.
 */
import { log } from '../../../server/log';
import { stateOf } from '../../../server/sessions/session-manager';
import { started, student, world, type World } from './fake-world';

let w: World;
afterEach(async () => w.close());

test('after a restart, a reconnecting page gets the last result of each step from the stored runs', async () => {
  w = world();
  const id = await started(w, student(w), 'step-setup');
  expect((await w.progress.runCheck(id, 0, 'button'))?.status).toBe('failed');
  w.backend.machine(stateOf(w.sessions.get(id)!)!, 'box').files.set('/root/one.txt', Buffer.alloc(0));
  const passed = await w.progress.runCheck(id, 0, 'prompt');
  expect(passed?.status).toBe('passed');
  const before = w.progress.lastResults(id);
  expect(before).toEqual([passed]);

  w = w.restart();
  expect(w.progress.lastResults(id)).toEqual([{ sessionId: id, step: 0, status: 'passed', durationMs: passed!.durationMs, trigger: 'prompt' }]);
});

test('a result published after the restart wins over the stored one', async () => {
  w = world();
  const id = await started(w, student(w), 'step-setup');
  await w.progress.runCheck(id, 0, 'button');
  w = w.restart();
  await w.sessions.settled(id);
  w.backend.machine(stateOf(w.sessions.get(id)!)!, 'box').files.set('/root/one.txt', Buffer.alloc(0));
  await w.progress.runCheck(id, 0, 'button');
  expect(w.progress.lastResults(id).map((e) => e.status)).toEqual(['passed']);
});

test('a check that could not run is logged with its cause; the student reads only the public part', async () => {
  w = world();
  const id = await started(w, student(w), 'step-setup');
  w.backend.kill(stateOf(w.sessions.get(id)!)!, 'box');
  const logged: Array<{ fields: unknown; msg: unknown }> = [];
  const logger = { error: (fields: unknown, msg: unknown) => logged.push({ fields, msg }), warn: () => undefined, info: () => undefined } as unknown as ReturnType<typeof log.child>;
  const child = jest.spyOn(log, 'child').mockReturnValue(logger);
  let event;
  try {
    event = await w.progress.runCheck(id, 0, 'button');
  } finally {
    child.mockRestore();
  }
  expect(event).toMatchObject({ status: 'failed', feedback: expect.stringMatching(/^The check could not run/) });
  expect(logged).toEqual([{ fields: { err: expect.stringContaining('box'), step: 0, trigger: 'button' }, msg: 'check could not run' }]);
});
