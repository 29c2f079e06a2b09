/**
 * Time from `docker create` of a lab machine (the Docker-in-Docker image, under
 * the isolation profile Berth detects) to its inner dockerd being ready, as
 * Berth sees it (the BERTH-READY line). Median of BENCH_RUNS (default 10).
 *
 *   npm run bench:machine-start
 */
import crypto from 'node:crypto';
import { loadConfig } from '../server/config';
import { detectProfile } from '../server/docker/detect-profile';
import { connectDocker, labelsFor } from '../server/docker/engine';
import { createMachine, removeContainer, removeVolume, waitReady } from '../server/docker/machines';
import { fmt, hostSummary, median, printTable } from './util';

async function main(): Promise<void> {
  const runs = Number(process.env.BENCH_RUNS || 10);
  const docker = connectDocker();
  const instance = `bench-ms-${crypto.randomBytes(3).toString('hex')}`;
  const config = loadConfig({ ...process.env, BERTH_INSTANCE: instance });
  const { profile, why } = await detectProfile(docker, config);
  const version = (await docker.version()) as { Version: string };
  console.log(`machine-start: ${runs} runs of ${config.images.dind}, profile ${profile} (${why}), engine ${version.Version}`);
  console.log(hostSummary());
  const rows: Array<Array<string | number>> = [];
  const totals: number[] = [];
  const phases = { create: [] as number[], start: [] as number[], ready: [] as number[] };
  for (let i = 1; i <= runs; i++) {
    const name = `berth-${instance}-m${i}`;
    const volume = `${name}-docker`;
    const t0 = performance.now();
    const container = await createMachine(docker, {
      containerName: name,
      hostname: 'bench',
      image: config.images.dind,
      docker: true,
      profile,
      labels: labelsFor(instance, 'machine'),
      volumeName: volume,
      env: {},
      memoryBytes: config.limits.machineMemoryBytes,
      nanoCpus: config.limits.machineNanoCpus,
      pids: config.limits.machinePids,
      logBytes: config.limits.machineLogBytes,
      diskBytes: config.limits.machineDiskBytes,
      registryMirror: config.registryMirror,
    });
    const t1 = performance.now();
    await container.start();
    const t2 = performance.now();
    try {
      await waitReady(container, 90_000);
    } finally {
      const t3 = performance.now();
      phases.create.push(t1 - t0);
      phases.start.push(t2 - t1);
      phases.ready.push(t3 - t2);
      totals.push(t3 - t0);
      rows.push([`run ${i}`, fmt(t1 - t0), fmt(t2 - t1), fmt(t3 - t2), fmt(t3 - t0)]);
      await removeContainer(docker, container.id);
      await removeVolume(docker, volume);
    }
  }
  rows.push(['median', fmt(median(phases.create)), fmt(median(phases.start)), fmt(median(phases.ready)), fmt(median(totals))]);
  printTable('Lab machine: docker create → inner dockerd ready (ms)', ['', 'create', 'start', 'start → ready', 'total'], rows);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
