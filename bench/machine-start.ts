/**
 * Time from `docker create` of a lab machine (the Docker-in-Docker image, under
 * the isolation profile Berth detects) to the machine being the student's (the
 * BERTH-READY line: Docker's socket listens, a docker command waits in its
 * queue) and to its inner dockerd answering (BERTH-DOCKER-READY), as Berth sees
 * them. Median of BENCH_RUNS (default 10).
 * Also the CPU a start costs: in the machine (its cgroup; of it the inner
 * containerd and dockerd with their children) and in the host's engine, which
 * on a class of 30 starting at once is what the last student waits for.
 *
 *   npm run bench:machine-start
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { loadConfig } from '../server/config';
import { detectProfile } from '../server/docker/detect-profile';
import { connectDocker, labelsFor } from '../server/docker/engine';
import { createMachine, removeContainer, removeVolume, waitReady } from '../server/docker/machines';
import { containerCpuSeconds, engineCpuSeconds } from './host-cpu';
import { fmt, hostSummary, median, printTable, runMain } from './util';

/** The machine's cgroup folder under cpuacct (v1) or the unified tree (v2), whichever exists. */
function machineCgroupDir(containerId: string): string | null {
  for (const dir of [`/sys/fs/cgroup/cpuacct/docker/${containerId}`, `/sys/fs/cgroup/system.slice/docker-${containerId}.scope`]) {
    if (fs.existsSync(`${dir}/cgroup.procs`)) return dir;
  }
  return null;
}

/**
 * CPU seconds of the machine's inner containerd and dockerd, each with the
 * children it has reaped (dockerd's iptables, runc, modprobe calls), read
 * while they still run. What is left of the machine's total is its entrypoint,
 * init and the container's own set-up.
 */
function daemonCpuSeconds(containerId: string): { containerd: number; dockerd: number } | null {
  const dir = machineCgroupDir(containerId);
  if (!dir) return null;
  const out = { containerd: 0, dockerd: 0 };
  for (const pid of fs.readFileSync(`${dir}/cgroup.procs`, 'utf8').split('\n').filter(Boolean)) {
    try {
      const comm = fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      if (comm !== 'dockerd' && comm !== 'containerd') continue;
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      // After the command name: utime, stime, cutime, cstime are the 12th to 15th fields.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').slice(11, 15).map(Number);
      out[comm] += (f[0] + f[1] + f[2] + f[3]) / 100;
    } catch {
      /* the process ended between the list and the read */
    }
  }
  return out;
}

async function main(): Promise<void> {
  const runs = Number(process.env.BENCH_RUNS || 10);
  const docker = connectDocker();
  const instance = `bench-ms-${crypto.randomBytes(3).toString('hex')}`;
  const config = loadConfig({ ...process.env, BERTH_INSTANCE: instance });
  const { profile, why } = await detectProfile(docker, config);
  const version = (await docker.version()) as { Version: string };
  console.log(`machine-start: ${runs} runs of ${config.docker.images.dind}, profile ${profile} (${why}), engine ${version.Version}`);
  console.log(hostSummary());
  const rows: Array<Array<string | number>> = [];
  const totals: number[] = [];
  const phases = { create: [] as number[], start: [] as number[], prompt: [] as number[], ready: [] as number[] };
  const cpu = { machine: [] as number[], engine: [] as number[], containerd: [] as number[], dockerd: [] as number[] };
  for (let i = 1; i <= runs; i++) {
    const name = `berth-${instance}-m${i}`;
    const volume = `${name}-docker`;
    const engine0 = engineCpuSeconds();
    const t0 = performance.now();
    const container = await createMachine(docker, {
      containerName: name,
      hostname: 'bench',
      image: config.docker.images.dind,
      docker: true,
      profile,
      labels: labelsFor(instance, 'machine'),
      volumeName: volume,
      env: {},
      memoryBytes: config.docker.limits.machineMemoryBytes,
      nanoCpus: config.docker.limits.machineNanoCpus,
      pids: config.docker.limits.machinePids,
      logBytes: config.docker.limits.machineLogBytes,
      diskBytes: config.docker.limits.machineDiskBytes,
      registryMirror: config.docker.registryMirror,
    });
    const t1 = performance.now();
    await container.start();
    const t2 = performance.now();
    let tPrompt = NaN;
    try {
      await waitReady(container, 90_000, 'prompt');
      tPrompt = performance.now();
      await waitReady(container, 90_000, 'docker');
    } finally {
      const t3 = performance.now();
      const inMachine = containerCpuSeconds(container.id);
      const byEngine = engineCpuSeconds() - engine0;
      const daemons = daemonCpuSeconds(container.id);
      if (inMachine !== null) cpu.machine.push(inMachine);
      if (daemons) {
        cpu.containerd.push(daemons.containerd);
        cpu.dockerd.push(daemons.dockerd);
      }
      cpu.engine.push(byEngine);
      phases.create.push(t1 - t0);
      phases.start.push(t2 - t1);
      phases.prompt.push(tPrompt - t0);
      phases.ready.push(t3 - t2);
      totals.push(t3 - t0);
      rows.push([`run ${i}`, fmt(t1 - t0), fmt(t2 - t1), fmt(tPrompt - t0), fmt(t3 - t2), fmt(t3 - t0), inMachine === null ? '?' : fmt(inMachine * 1000), daemons ? fmt(daemons.containerd * 1000) : '?', daemons ? fmt(daemons.dockerd * 1000) : '?', fmt(byEngine * 1000)]);
      await removeContainer(docker, container.id);
      await removeVolume(docker, volume);
    }
  }
  const cpuMachine = cpu.machine.length ? median(cpu.machine) : NaN;
  const cpuEngine = median(cpu.engine);
  const medianMs = (v: number[]) => (v.length ? fmt(median(v) * 1000) : '?');
  rows.push(['median', fmt(median(phases.create)), fmt(median(phases.start)), fmt(median(phases.prompt)), fmt(median(phases.ready)), fmt(median(totals)), fmt(cpuMachine * 1000), medianMs(cpu.containerd), medianMs(cpu.dockerd), fmt(cpuEngine * 1000)]);
  printTable(
    'Lab machine: docker create → the student\'s (Docker\'s socket listens) and → inner dockerd ready (ms; CPU in ms of one core)',
    ['', 'create', 'start', 'create → student\'s', 'start → dockerd ready', 'create → dockerd ready', 'CPU in machine', 'of it containerd', 'of it dockerd + children', 'CPU host engine'],
    rows,
  );
  // What a class pressing Start together costs the host, whatever the order: the floor under its p95.
  const perStart = (Number.isNaN(cpuMachine) ? 0 : cpuMachine) + cpuEngine;
  const cores = os.availableParallelism();
  console.log(`\nCPU per machine start: ${fmt(perStart * 1000)} ms of one core; a class of 30 needs at least ${(30 * perStart / cores).toFixed(1)} s on ${cores} cores before the last machine is ready.`);
}

runMain(main);
