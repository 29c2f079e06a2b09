import path from 'node:path';
import { DockerBackend } from '../../../server/docker/docker-backend';
import { loadConfig } from '../../../server/config';
import { detectProfile } from '../../../server/docker/detect-profile';
import { connectDocker } from '../../../server/docker/engine';
import { formatLabTestResult, LabTester } from '../../../server/labs/lab-test';
import { validateLabs } from '../../../server/labs/validate';

jest.setTimeout(180_000);

test('berth lab test proves a small lab on real machines and removes them', async () => {
  const { labs, issues } = await validateLabs([path.join(__dirname, '../../fixtures/labs-engine')]);
  expect(issues.filter((i) => i.severity === 'error')).toEqual([]);
  const docker = connectDocker();
  const config = { ...loadConfig(), warmPool: { size: 0 } };
  const { profile } = await detectProfile(docker, config);
  const backend = new DockerBackend(docker, config, profile);
  const [result] = await new LabTester({ backend, log: () => undefined }).run(labs);
  const table = formatLabTestResult(result);
  expect({ ok: result.ok, table }).toEqual({ ok: true, table: expect.stringContaining('PASS shell-basics') });
  expect(result.steps.map((s) => s.status)).toEqual(['pass', 'pass']);
  // The forge (a file where the folder should be) ran on the machine and the check rejected it with its own FAIL: line.
  expect(result.steps[0].forges).toEqual([{ label: 'a file where the folder should be', line: 30, rejected: true, feedback: '/root/work/project does not exist' }]);
  expect(await backend.listSessions()).not.toContain(result.sessionId);
  await backend.shutdown();
});
