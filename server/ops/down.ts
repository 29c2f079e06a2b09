import path from 'node:path';
import type { BerthConfig } from '../config';
import { createBackend } from '../backend/factory';
import { stateOf } from '../sessions/session-manager';
import { ScriptRunner } from '../sessions/script-runner';
import { StepSetup } from '../sessions/step-setup';
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
  // BERTH_BACKEND decides what is taken down; the Docker backend checks the engine answers first.
  const { backend } = await createBackend(config, { removalOnly: true });
  const store = new Store(path.join(config.dataDir, 'berth.sqlite'));
  // Only its record of what ran is used here: ended sessions keep no step-setup rows.
  const stepSetup = new StepSetup(store.db, new ScriptRunner(backend, config.checks.outputCapBytes));
  let ended = 0;
  try {
    for (const row of store.liveSessions()) {
      const state = stateOf(row);
      if (state) await backend.stop(state).catch((err: unknown) => onLine(`session ${row.id}: ${err instanceof Error ? err.message : String(err)} (removed below by label)`));
      stepSetup.forget(row.id);
      store.updateSession(row.id, { state: 'ended', endedAt: Date.now() });
      ended++;
    }
    onLine(`${ended} session(s) ended`);
    const removed = await backend.removeEverything();
    onLine(`${removed} object(s) of ${backend.name} backend removed${config.backend === 'docker' ? ` (instance "${config.docker.instanceId}")` : ''}`);
    return { ended, removed };
  } finally {
    store.close();
    await backend.shutdown();
  }
}
