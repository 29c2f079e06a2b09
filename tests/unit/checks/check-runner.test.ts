import path from 'node:path';
import { FakeBackend } from '../../../server/backend/fake-backend';
import { CheckRunner } from '../../../server/checks/check-runner';
import { CHECK_KINDS, checkKind } from '../../../server/checks/kinds';
import { parseLab } from '../../../server/labs/parse';
import type { CheckBlock } from '../../../server/labs/types';

/** The check runner dispatches each check on its kind; the script kind runs through the one script runner. */

const spec = { sessionId: 's1', labId: 'l', studentId: 'u', machines: [{ name: 'docker', image: 'dind', docker: true, env: {}, files: [] }] };

function checksOf(body: string): CheckBlock[] {
  const { lab, issues } = parseLab(`---\nid: l\ntitle: T\nsummary: S.\n---\n\n## One\n\n${body}`, path.join('/tmp', 'l', 'lab.md'));
  if (!lab) throw new Error(JSON.stringify(issues));
  return lab.steps[0].checks;
}

test('a parsed check block is a script check', () => {
  const [check] = checksOf('```check timeout=7\ntest -f /root/done\n```\n');
  expect(check).toMatchObject({ kind: 'script', machine: 'docker', timeoutSeconds: 7, line: 9 });
  expect(checkKind(check.kind)).toBe(CHECK_KINDS.script);
  // Definitions made before kinds existed have none: they are script checks.
  expect(checkKind(undefined)).toBe(CHECK_KINDS.script);
  expect(checkKind('http')).toBeUndefined();
});

test('every check must pass; the first failure gives the feedback and its line', async () => {
  const backend = new FakeBackend();
  const state = await backend.start(spec);
  const checks = checksOf('```check\ntest -f /root/a\n```\n\n```check\necho FAIL: no b yet\ntest -f /root/b\n```\n');
  const runner = new CheckRunner(backend, 2, 1024);

  const none = await runner.run(state, checks);
  // test -f says nothing of its own: a failure, but not one the check explained.
  expect(none).toMatchObject({ passed: false, line: 9, explicit: false });

  await backend.exec(state, 'docker', 'touch /root/a', { timeoutMs: 1000, outputCapBytes: 1024 });
  const half = await runner.run(state, checks);
  expect(half).toMatchObject({ passed: false, feedback: 'no b yet', line: 13, explicit: true });

  await backend.exec(state, 'docker', 'touch /root/b', { timeoutMs: 1000, outputCapBytes: 1024 });
  const done = await runner.run(state, checks);
  expect(done.passed).toBe(true);
  expect(done.feedback).toBeUndefined();
  // Each check ran in its machine with its own timeout, as a script block does.
  expect(backend.execs.filter((e) => e.script.startsWith('test -f /root/a')).map((e) => e.timeoutMs)).toEqual([20_000, 20_000, 20_000]);
});

test('a check that runs out of time fails with the timeout named', async () => {
  const backend = new FakeBackend();
  const state = await backend.start(spec);
  const [check] = checksOf('```check timeout=2\nsleep 5\n```\n');
  const outcome = await new CheckRunner(backend, 1, 1024).run(state, [check]);
  expect(outcome).toMatchObject({ passed: false, line: 9, explicit: false });
  expect(outcome.feedback).toMatch(/longer than 2 s/);
});

test('a check of an unknown kind is refused with its line, not run', async () => {
  const backend = new FakeBackend();
  const state = await backend.start(spec);
  const [check] = checksOf('```check\ntrue\n```\n');
  await expect(new CheckRunner(backend, 1, 1024).run(state, [{ ...check, kind: 'http' }])).rejects.toThrow('check at lab.md line 9: unknown check kind "http"');
  expect(backend.execs.some((e) => e.script === 'true\n' || e.script === 'true')).toBe(false);
});

test('the script kind finds an empty block invalid', () => {
  expect(CHECK_KINDS.script.validate({ text: '  \n', attrs: {} })).toEqual([{ message: 'the check block is empty', hint: 'write the bash script between the fences, or remove the block' }]);
  expect(CHECK_KINDS.script.validate({ text: 'true\n', attrs: {} })).toEqual([]);
});
