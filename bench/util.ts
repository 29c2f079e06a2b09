/** Small helpers shared by the benchmarks: statistics, a plain-text table, a Berth's environment and clean-up, and running main. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectDocker } from '../server/docker/engine';
import { log } from '../server/log';

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function fmt(value: number, digits = 0): string {
  return value.toFixed(digits);
}

/** Prints rows as an aligned table with a header rule, the way the README quotes it. */
export function printTable(title: string, header: string[], rows: Array<Array<string | number>>): void {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  console.log(`\n${title}\n`);
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? ` ${'-'.repeat(w)} ` : ` ${'-'.repeat(w - 1)}: `)).join('|')}|`);
  for (const r of cells.slice(1)) console.log(line(r));
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function hostSummary(): string {
  return `${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), ${Math.round(os.totalmem() / 1024 ** 3)} GB RAM, Node ${process.version}, ${new Date().toISOString()}`;
}

/** Removes every container, volume and network a benchmark's Berth instance left (pool machines included). */
export async function removeInstanceObjects(instance: string): Promise<void> {
  const docker = connectDocker();
  const filters = { label: [`io.berth.instance=${instance}`] };
  for (const c of await docker.listContainers({ all: true, filters })) await docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined);
  for (const v of (await docker.listVolumes({ filters })).Volumes ?? []) await docker.getVolume(v.Name).remove({ force: true }).catch(() => undefined);
  for (const n of await docker.listNetworks({ filters })) await docker.getNetwork(n.Id).remove().catch(() => undefined);
}

/** Removes what a benchmark's Berth instance left: its containers, volumes and networks, and its data folder. */
export async function removeInstance(instance: string, dataDir: string): Promise<void> {
  await removeInstanceObjects(instance);
  fs.rmSync(dataDir, { recursive: true, force: true });
}

/** The labs the runtime tests use (tests/fixtures/runtime-labs), from dist/bench/. */
export const RUNTIME_LABS = path.join(__dirname, '..', '..', 'tests', 'fixtures', 'runtime-labs');

/** A benchmark's Berth: 127.0.0.1 on a free port, no warm pool, no background checks, open join; `overrides` win. */
export function berthEnv(labsDir: string, dataDir: string, instance: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    BERTH_PORT: '0',
    BERTH_HOST: '127.0.0.1',
    BERTH_LABS_DIR: labsDir,
    BERTH_DATA_DIR: dataDir,
    BERTH_WARM_POOL: '0',
    BERTH_INSTANCE: instance,
    BERTH_CHECK_INTERVAL: '0',
    BERTH_OPEN_JOIN: 'true',
    ...overrides,
  };
}

/** Runs a benchmark's main: an error is printed and the process exits 1 (or, with `exitCode`, only sets it and lets the process end by itself). */
export function runMain(main: () => Promise<void>, options: { exitCode?: boolean } = {}): void {
  main().catch((err: unknown) => {
    console.error(err);
    if (options.exitCode) process.exitCode = 1;
    else process.exit(1);
  });
}

/** Benchmarks print tables; the in-process server's info lines would bury them (BERTH_LOG_LEVEL overrides). */
export function quietServerLogs(): void {
  log.level = (process.env.BERTH_LOG_LEVEL || 'warn') as typeof log.level;
}

/** Resident memory of a process (bytes), from /proc. */
export function rssOf(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

/** CPU time (user + system, in seconds) a process has used so far, from /proc. */
export function cpuSecondsOf(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the command name.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
