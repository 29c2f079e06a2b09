import type { LabBackend } from '../backend/lab-backend';
import { sessionLog } from '../log';
import type { Store } from '../store/database';
import { stateOf, type SessionManager } from './session-manager';

export const ENGINE_RESTARTED_DETAIL =
  'Your lab was stopped because the Docker engine restarted. Your files and images are kept; resume to continue.';

/**
 * When the Docker engine answers again after it was gone, the lab machines
 * it stopped stay stopped: they have no restart policy, so that an engine
 * coming back does not start a whole class at once. A lab the store still
 * calls running on such machines would show a dead terminal; this calls it
 * paused, saying why, so the student resumes it with one click. A lab whose
 * machines are gone altogether (the engine's data was wiped) is ended.
 * Returns the sessions it paused or ended.
 */
export async function settleLabsAfterEngineReturn(sessions: SessionManager, store: Store, backend: LabBackend): Promise<string[]> {
  const touched: string[] = [];
  for (const row of store.liveSessions()) {
    const state = stateOf(row);
    // Only settled labs: a start, resume or stop under way finds out for itself.
    if (row.state !== 'running' || !state) continue;
    try {
      const health = await backend.poll(state);
      if (health === 'running') continue;
      if (health === 'gone') await sessions.stop(row.id, 'admin');
      else await sessions.pause(row.id, ENGINE_RESTARTED_DETAIL);
      sessionLog(row.id).warn({ health }, `the Docker engine came back with this lab's machines ${health === 'gone' ? 'removed: ended it' : 'stopped: paused it'}`);
      touched.push(row.id);
    } catch (err) {
      sessionLog(row.id).error({ err: err instanceof Error ? err.message : String(err) }, 'after the engine came back: could not check this lab');
    }
  }
  return touched;
}
