/**
 * Berth served in the benchmark's own process (startServer), where a benchmark
 * reads the server's state directly (its sessions, its warm pool, its bus):
 * started with a fresh data folder and instance, closed with every machine of
 * the instance (pool machines included) and the data folder removed.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../server/config';
import type { DockerBackend } from '../server/docker/docker-backend';
import { startServer, type RunningServer } from '../server/http/server';
import { berthEnv, removeInstance, RUNTIME_LABS, sleep } from './util';

export interface InProcessBerth {
  server: RunningServer;
  backend: DockerBackend;
  instance: string;
  /** Waits until the warm pool holds `pool` ready machines (none when 0), then half a second for the engine to settle after the last stop or refill. */
  settle(pool: number): Promise<void>;
  /** Stops serving, removes the sessions' machines, the rest of the instance (the pool's machines are ours too) and the data folder. */
  close(): Promise<void>;
}

export interface InProcessBerthOptions {
  /** Where the data folder is made, under the system's temporary folder. */
  dataDirPrefix?: string;
  /** The labs served (the runtime fixture labs). */
  labsDir?: string;
  /** Added to (or replacing) the defaults of berthEnv; an undefined value unsets one (loadConfig's default then). */
  env?: Record<string, string | undefined>;
}

/** startServer with berthEnv's settings over process.env; instance `<instancePrefix>-<random>`. */
export async function startInProcessBerth(instancePrefix: string, options: InProcessBerthOptions = {}): Promise<InProcessBerth> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), options.dataDirPrefix ?? 'berth-bench-'));
  const instance = `${instancePrefix}-${crypto.randomBytes(3).toString('hex')}`;
  const server = await startServer(loadConfig({ ...process.env, ...berthEnv(options.labsDir ?? RUNTIME_LABS, dataDir, instance), ...options.env }));
  const backend = server.ctx.backend as DockerBackend;
  return {
    server,
    backend,
    instance,
    async settle(pool) {
      // startServer began filling the pool; every adoption refills it in the background.
      if (pool > 0) while (backend.poolStats().ready < pool) await sleep(100);
      await sleep(500);
    },
    async close() {
      await server.close({ removeSessions: true });
      await removeInstance(instance, dataDir);
    },
  };
}

/** `runs` runs of `run` on a new in-process Berth with a warm pool of `pool` (each run once the pool is full and the engine has settled); closed afterwards. */
export async function poolScenario<T>(instancePrefix: string, pool: number, runs: number, run: (server: RunningServer, i: number) => Promise<T>): Promise<T[]> {
  const berth = await startInProcessBerth(instancePrefix, { env: { BERTH_WARM_POOL: String(pool) } });
  const samples: T[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      await berth.settle(pool);
      samples.push(await run(berth.server, i));
    }
  } finally {
    await berth.close();
  }
  return samples;
}
