import fs from 'node:fs';
import type Docker from 'dockerode';
import type { BerthConfig, IsolationProfile } from '../config';
import { errorText, labelsFor, leftForReconcile } from './engine';
import { imageExists } from './images';
import { createMachine, removeContainer, removeVolume, waitReady } from './machines';
import { runExec } from './exec';
import { isolationAdvice, PROFILE_NOTES } from './isolation';
import { mirrorProbe } from '../ops/mirror-status';

export interface Probe {
  name: string;
  ok: boolean;
  detail: string;
}

export interface DoctorReport {
  probes: Probe[];
  recommended: IsolationProfile | null;
  reason: string;
}

/** A tiny container with the given confinement: does the engine accept it at all? */
async function tryStart(docker: Docker, image: string, hostConfig: Docker.HostConfig, instanceId: string): Promise<string | null> {
  let container: Docker.Container | undefined;
  try {
    container = await docker.createContainer({
      Image: image,
      Entrypoint: ['true'],
      Labels: labelsFor(instanceId, 'check'),
      HostConfig: { ...hostConfig, AutoRemove: false },
    });
    await container.start();
    await container.wait();
    return null;
  } catch (err) {
    return errorText(err);
  } finally {
    if (container) await removeContainer(docker, container.id).catch(leftForReconcile('removing a doctor probe container'));
  }
}

/** Starts a real lab machine under `profile` and asks its inner Docker a question. */
async function tryDockerInside(docker: Docker, config: BerthConfig, profile: IsolationProfile): Promise<Probe> {
  const suffix = Math.random().toString(36).slice(2, 8);
  const labels = labelsFor(config.docker.instanceId, 'check');
  const name = `berth-doctor-${suffix}`;
  try {
    const container = await createMachine(docker, {
      containerName: name,
      hostname: 'doctor',
      image: config.docker.images.dind,
      docker: true,
      profile,
      labels,
      volumeName: `${name}-docker`,
      env: {},
      memoryBytes: 0,
      nanoCpus: 0,
      pids: 0,
      logBytes: 1024 * 1024,
      diskBytes: 0,
      registryMirror: '',
    });
    await container.start();
    await waitReady(container, 60_000, 'docker');
    const info = await runExec(container, ['docker', 'info', '--format', '{{.ServerVersion}} {{.Driver}}'], {
      timeoutMs: 20_000,
      outputCapBytes: 4096,
    });
    return { name: `Docker inside a lab machine (${profile})`, ok: info.exitCode === 0, detail: (info.stdout || info.stderr).trim() };
  } catch (err) {
    return { name: `Docker inside a lab machine (${profile})`, ok: false, detail: errorText(err) };
  } finally {
    await removeContainer(docker, name).catch(leftForReconcile(`removing doctor machine ${name}`));
    await removeVolume(docker, `${name}-docker`).catch(leftForReconcile(`removing volume ${name}-docker`));
  }
}

export async function runDoctor(docker: Docker, config: BerthConfig): Promise<DoctorReport> {
  const probes: Probe[] = [];
  let info: Record<string, unknown>;
  try {
    const version = await docker.version();
    info = (await docker.info()) as Record<string, unknown>;
    probes.push({ name: 'Docker engine', ok: true, detail: `${version.Version} (API ${version.ApiVersion}), ${info.OperatingSystem}` });
  } catch (err) {
    probes.push({ name: 'Docker engine', ok: false, detail: `not reachable: ${errorText(err)}. Is dockerd running and /var/run/docker.sock mounted?` });
    return { probes, recommended: null, reason: 'no Docker engine answered' };
  }
  const cgroupVersion = String(info.CgroupVersion ?? '1');
  probes.push({ name: 'cgroup version', ok: true, detail: `v${cgroupVersion} (driver ${info.CgroupDriver})` });
  const driver = String(info.Driver);
  probes.push({ name: 'storage driver', ok: driver === 'overlay2', detail: driver === 'overlay2' ? 'overlay2' : `${driver}: overlay2 is expected` });
  const runtimes = Object.keys((info.Runtimes as Record<string, unknown>) ?? {});
  const hasSysbox = runtimes.includes('sysbox-runc');
  probes.push({ name: 'runtimes', ok: true, detail: `${runtimes.join(', ')}${hasSysbox ? '' : ' (sysbox-runc not installed)'}` });

  const rootDir = String(info.DockerRootDir ?? '/var/lib/docker');
  try {
    const stat = fs.statfsSync(rootDir);
    const freeGiB = (stat.bavail * stat.bsize) / 1024 ** 3;
    probes.push({ name: 'free disk', ok: freeGiB > 10, detail: `${freeGiB.toFixed(1)} GiB free under ${rootDir}${freeGiB > 10 ? '' : ' (each student needs about 1-3 GiB)'}` });
  } catch {
    probes.push({ name: 'free disk', ok: true, detail: `${rootDir} is not visible from here (Berth runs in a container); check it on the host` });
  }

  const images = [config.docker.images.base, config.docker.images.dind, config.docker.images.shell, config.docker.images.mirror];
  const missing: string[] = [];
  for (const image of images) if (!(await imageExists(docker, image))) missing.push(image);
  probes.push({
    name: 'lab images',
    ok: missing.length === 0,
    detail: missing.length ? `missing: ${missing.join(', ')}; run \`berth images build\`` : images.join(', '),
  });
  probes.push(await mirrorProbe(config));

  const probeImage = (await imageExists(docker, config.docker.images.base)) ? config.docker.images.base : null;
  let privilegedError: string | null = 'no image to test with';
  if (probeImage) {
    privilegedError = await tryStart(docker, probeImage, { Privileged: true }, config.docker.instanceId);
    probes.push({
      name: 'privileged container',
      ok: privilegedError === null,
      detail: privilegedError === null ? 'starts' : `refused: ${privilegedError}`,
    });
  }

  const candidates: IsolationProfile[] = [];
  if (hasSysbox) candidates.push('sysbox');
  if (privilegedError === null) candidates.push('privileged');
  candidates.push('caps');

  let recommended: IsolationProfile | null = null;
  const dindPresent = await imageExists(docker, config.docker.images.dind);
  for (const profile of candidates) {
    if (!dindPresent) {
      recommended = recommended ?? profile;
      continue;
    }
    const probe = await tryDockerInside(docker, config, profile);
    probes.push(probe);
    if (probe.ok) {
      recommended = profile;
      break;
    }
  }
  let reason: string;
  if (!recommended) reason = 'no profile could run Docker inside a lab machine; see the failures above';
  else if (recommended === 'caps' && privilegedError)
    reason = `privileged containers are refused by this engine (${privilegedError.split('\n')[0]}), and sysbox is not installed, so lab machines use explicit capabilities. ${PROFILE_NOTES.caps}`;
  else reason = PROFILE_NOTES[recommended];
  if (!dindPresent && recommended) reason += ' (not yet tried with Docker inside: build the lab images first)';
  return { probes, recommended, reason };
}

export function formatDoctorReport(report: DoctorReport): string {
  const lines = report.probes.map((p) => `${p.ok ? ' ok ' : 'FAIL'}  ${p.name.padEnd(38)} ${p.detail}`);
  lines.push('');
  lines.push(report.recommended ? `Recommended isolation profile: ${report.recommended}` : 'Recommended isolation profile: none');
  lines.push(`  ${report.reason}`);
  if (report.recommended) {
    lines.push('');
    lines.push(...isolationAdvice(report.recommended, 'auto').lines);
  }
  return lines.join('\n');
}
