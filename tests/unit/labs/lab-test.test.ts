import path from 'node:path';
import type { BackendState, ExecOutcome, LabBackend, SessionSpec } from '../../../server/backend/lab-backend';
import { formatLabTestResult, LabTester } from '../../../server/labs/lab-test';
import { parseLab } from '../../../server/labs/parse';
import type { LabDefinition } from '../../../server/labs/types';

/** A pretend machine: a set of flags scripts can `touch` and `test -f`. */
class FakeBackend {
  readonly name = 'fake';
  started: string[] = [];
  stopped: string[] = [];
  files = new Map<string, Set<string>>();
  async start(spec: SessionSpec): Promise<BackendState> {
    this.started.push(spec.sessionId);
    this.files.set(spec.sessionId, new Set());
    return { backend: 'fake', sessionId: spec.sessionId };
  }
  async stop(state: BackendState): Promise<void> {
    this.stopped.push(String(state.sessionId));
  }
  async exec(state: BackendState, _machine: string, script: string): Promise<ExecOutcome> {
    const files = this.files.get(String(state.sessionId)) ?? new Set<string>();
    let exitCode = 0;
    let stdout = '';
    for (const line of script.split('\n')) {
      const [cmd, arg, ...rest] = line.trim().split(/\s+/);
      if (cmd === 'touch') files.add(arg);
      else if (cmd === 'rm') files.delete(arg);
      else if (cmd === 'test' && !files.has(rest[0] ?? arg)) {
        exitCode = 1;
        stdout = `FAIL: ${rest[0] ?? arg} is missing`;
      } else if (cmd === 'true') exitCode = 0;
    }
    return { exitCode, stdout, stderr: '', timedOut: false, truncated: false, durationMs: 1 };
  }
  async shutdown(): Promise<void> {}
}

function lab(id: string, body: string): LabDefinition {
  const { lab: parsed, issues } = parseLab(`---\nid: ${id}\ntitle: T\nsummary: S.\n---\n\n${body}`, path.join('/tmp', id, 'lab.md'));
  if (!parsed) throw new Error(JSON.stringify(issues));
  return parsed;
}

const good = lab('good', '## One\n\n```check\ntest -f one\n```\n\n```solve\ntouch one\n```\n\n## Two\n\n```check\ntest -f two\n```\n\n```solve\ntouch two\n```\n');
const early = lab('early', '## One\n\n```check\ntrue\n```\n\n```solve\ntrue\n```\n\n## Two\n\n```check\ntest -f two\n```\n\n```solve\ntouch two\n```\n');
const weakSolve = lab('weak', '## One\n\n```check\ntest -f one\n```\n\n```solve\ntouch other\n```\n');

function tester(backend: FakeBackend, keep = false) {
  return new LabTester({ backend: backend as unknown as LabBackend, keep, log: () => undefined, retryDelayMs: 1, parallel: 2 });
}

test('a good lab passes and its machines are removed', async () => {
  const backend = new FakeBackend();
  const [r] = await tester(backend).run([good]);
  expect(r.ok).toBe(true);
  expect(r.steps.map((s) => s.status)).toEqual(['pass', 'pass']);
  expect(backend.stopped).toEqual(backend.started);
  expect(formatLabTestResult(r)).toMatch(/^PASS good .*\n {2}step +result +setup +check before +forges +solve +check after +note\n {2}One +pass/);
});

test('a check that passes before the work is done fails the lab; later steps are skipped', async () => {
  const [r] = await tester(new FakeBackend()).run([early]);
  expect(r.ok).toBe(false);
  expect(r.steps.map((s) => [s.status, s.problem])).toEqual([
    ['fail', 'the check passes before the work is done: it must fail until the student acts'],
    ['skipped', undefined],
  ]);
});

test('a solve that does not satisfy the check is reported with the check feedback', async () => {
  const [r] = await tester(new FakeBackend()).run([weakSolve]);
  expect(r.steps[0]).toMatchObject({ status: 'fail', problem: 'the check still fails after the solve: one is missing (lab.md line 9)' });
});

test('several labs run, bounded, each on its own machines; --keep keeps them', async () => {
  const backend = new FakeBackend();
  const results = await tester(backend, true).run([good, early, weakSolve]);
  expect(results.map((r) => [r.labId, r.ok])).toEqual([['good', true], ['early', false], ['weak', false]]);
  expect(new Set(backend.started).size).toBe(3);
  expect(backend.stopped).toEqual([]);
  expect(results.every((r) => r.kept)).toBe(true);
});

test('abort removes machines even when they are kept', async () => {
  const backend = new FakeBackend();
  const t = tester(backend, true);
  const running = t.run([good]);
  await t.abort();
  await running;
  expect(backend.stopped).toEqual(backend.started);
});
