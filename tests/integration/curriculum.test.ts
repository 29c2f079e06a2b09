import path from 'node:path';
import { DockerBackend } from '../../server/docker/docker-backend';
import { loadConfig } from '../../server/config';
import { detectProfile } from '../../server/docker/detect-profile';
import { connectDocker } from '../../server/docker/engine';
import { loadLabs } from '../../server/labs/loader';
import { forgeCoverage, formatForgeCoverage, formatLabTestResult, LabTester, type LabTestResult } from '../../server/labs/lab-test';
import { formatIssue, validateLabs } from '../../server/labs/validate';

/**
 * The shipped course, proven the way an instructor proves a lab before class:
 * `berth lab validate labs/` is clean, and `berth lab test` passes every lab
 * on real machines (each check fails before its solve, rejects every forge —
 * a plausible wrong attempt — and passes after the solve).
 */
const labsDir = path.join(__dirname, '../../labs');
const { labs } = loadLabs(labsDir);

jest.setTimeout(30 * 60_000);

test('every lab in labs/ validates without errors or warnings', async () => {
  const { issues } = await validateLabs([labsDir]);
  expect(issues.map((i) => formatIssue(i))).toEqual([]);
  expect(labs.length).toBeGreaterThanOrEqual(14);
});

describe('berth lab test over the course', () => {
  const docker = connectDocker();
  const results = new Map<string, Promise<LabTestResult>>();
  let backend: DockerBackend;
  let all: Promise<LabTestResult[]>;

  beforeAll(async () => {
    const config = { ...loadConfig({ ...process.env, BERTH_INSTANCE: 'curriculum' }), warmPool: { size: 0 } };
    const { profile } = await detectProfile(docker, config);
    backend = new DockerBackend(docker, config, profile);
    // Two labs at a time: a fair load for a 2-core CI machine.
    all = new LabTester({ backend, parallel: 2, log: () => undefined }).run(labs);
    labs.forEach((lab) => results.set(lab.id, all.then((r) => r.find((x) => x.labId === lab.id)!)));
  });

  afterAll(async () => {
    await all?.catch(() => undefined);
    await backend?.removeOrphans(new Set());
    await backend?.shutdown();
  });

  test.each(labs.map((l) => [l.id]))('%s passes berth lab test', async (id) => {
    const result = await results.get(id)!;
    // On failure the lab test's own table (step, phase, feedback) is the message.
    if (!result.ok) throw new Error(`berth lab test failed:\n${formatLabTestResult(result)}`);
    expect(result.steps.every((s) => s.status === 'pass')).toBe(true);
  });

  test('checked steps reject wrong attempts (forges)', async () => {
    const results = await all;
    process.stdout.write(`${formatForgeCoverage(results)}\n`);
    const { checkedSteps, forged } = forgeCoverage(results);
    // Every checked step of the course has a wrong attempt its check rejects with its own FAIL: line
    // (86 since ports' fix-it step; a rejection by a timeout or an engine error counts for nothing).
    expect(forged).toBeGreaterThanOrEqual(86);
    expect(checkedSteps - forged).toBe(0);
  });
});
