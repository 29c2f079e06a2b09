import path from 'node:path';
import type { BerthConfig } from '../config';
import { DockerBackend } from '../docker/docker-backend';
import { connectDocker } from '../docker/engine';
import { stateOf } from '../sessions/session-manager';
import { Store } from '../store/database';
import { dataDirHolder } from './data-dir-lock';

/**
 * `berth down`: the end of a course, or of a machine's life as a Berth host.
 * Every session still open is ended (students keep their progress and can
 * start the lab afresh on another Berth restored from a backup) and every
 * Docker object labelled with this instance goes: machines, networks, volumes,
 * the warm pool. A plain stop or an upgrade is not this: it keeps the machines
 * for the next start to re-adopt.
 */

export interface DownResult {
  ended: number;
  removed: number;
}

export async function takeDown(config: BerthConfig, onLine: (line: string) => void = () => undefined): Promise<DownResult> {
  const holder = dataDirHolder(config.dataDir);
  if (holder !== null) {
    // A serving Berth would restart or re-adopt what we remove under it.
    throw new Error(`Berth (pid ${holder}) is serving from ${config.dataDir}: stop it first (docker compose stop berth), then run berth down`);
  }
  const docker = connectDocker();
  try {
    await docker.ping();
  } catch (err) {
    throw new Error(`cannot reach the Docker engine (${err instanceof Error ? err.message : String(err)})`, { cause: err });
  }
  // Removing needs no isolation profile; the one given here is never used to start anything.
  const backend = new DockerBackend(docker, config, config.docker.isolation === 'auto' ? 'caps' : config.docker.isolation);
  const store = new Store(path.join(config.dataDir, 'berth.sqlite'));
  let ended = 0;
  try {
    for (const row of store.liveSessions()) {
      const state = stateOf(row);
      if (state) await backend.stop(state).catch((err: unknown) => onLine(`session ${row.id}: ${err instanceof Error ? err.message : String(err)} (removed below by label)`));
      store.updateSession(row.id, { state: 'ended', endedAt: Date.now() });
      ended++;
    }
    onLine(`${ended} session(s) ended`);
    const removed = await backend.removeEverything();
    onLine(`${removed} Docker object(s) of instance "${config.docker.instanceId}" removed`);
    return { ended, removed };
  } finally {
    store.close();
    await backend.shutdown();
  }
}
