/**
 * Whatever isolation Berth runs under, nobody is left to guess what it lets a
 * student do: the start-up choice and `berth doctor` say it plainly and,
 * unless the profile is sysbox, say how to install Sysbox.
 */
import { loadConfig } from '../../server/config';
import { detectProfile } from '../../server/docker/detect-profile';
import { formatDoctorReport } from '../../server/docker/doctor';
import { isolationAdvice } from '../../server/docker/isolation';
import { docker, uniqueInstance } from '../contract/harness';

jest.setTimeout(60_000);

test('auto never picks privileged (or caps) silently: the choice comes with a warning and Sysbox steps', async () => {
  const config = loadConfig({ ...process.env, BERTH_ISOLATION: 'auto', BERTH_INSTANCE: uniqueInstance('sec-iso') });
  const choice = await detectProfile(docker, config);
  const text = choice.advice.lines.join('\n');
  expect(text).toContain(`Isolation ${choice.profile} (chosen automatically)`);
  if (choice.profile === 'sysbox') {
    expect(choice.advice.level).toBe('info');
  } else {
    expect(choice.advice.level).toBe('warn');
    expect(text).toMatch(/root in a lab machine/);
    expect(text).toMatch(/host/);
    expect(text).toMatch(/Install Sysbox/);
    expect(text).toMatch(/BERTH_ISOLATION=sysbox/);
  }
  const left = await docker.listContainers({ all: true, filters: { label: [`io.berth.instance=${config.docker.instanceId}`] } });
  expect(left).toEqual([]);
});

test('each profile names what a student can do; only sysbox needs no warning', () => {
  expect(isolationAdvice('privileged', 'config').lines[0]).toMatch(/mount the host's disks/);
  expect(isolationAdvice('caps', 'config').lines[0]).toMatch(/take over the host/);
  expect(isolationAdvice('sysbox', 'config')).toEqual({ level: 'info', lines: [expect.stringMatching(/not the host/)] });
  expect(isolationAdvice('privileged', 'config').level).toBe('warn');
});

test('berth doctor ends with the same plain statement and the Sysbox steps', () => {
  const out = formatDoctorReport({ probes: [{ name: 'Docker engine', ok: true, detail: '27' }], recommended: 'privileged', reason: 'the engine allows privileged containers' });
  expect(out).toMatch(/Recommended isolation profile: privileged/);
  expect(out).toMatch(/mount the host's disks/);
  expect(out).toMatch(/sudo apt-get install -y jq \.\/sysbox-ce_/);
  const sysbox = formatDoctorReport({ probes: [], recommended: 'sysbox', reason: 'installed' });
  expect(sysbox).not.toMatch(/Install Sysbox/);
});
