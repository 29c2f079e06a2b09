import type { LabBackend } from '../backend/lab-backend';
import { sessionLog } from '../log';
import type { Store } from '../store/database';
import { MACHINES_STOPPED_DETAIL, stateOf, type SessionManager } from './session-manager';

export const ENGINE_RESTARTED_DETAIL =
  'Your lab was stopped because the Docker engine restarted. Your files and images are kept; resume to continue.';

export { MACHINES_STOPPED_DETAIL };

/**
 * Labs the store calls running whose machines stopped behind Berth's back:
 * an engine restart (lab machines have no restart policy, so that an engine
 * coming back does not start a whole class at once), a `docker stop` by
 * hand, or a pause that a Berth restart cut short (dockerd finishes the stop
 * after reconcile found the machine still running). Such a lab would show a
 * dead terminal; this calls it paused, saying why, so the student resumes it
 * with one click. A lab whose machines are gone altogether (removed, or the
 * engine's data wiped) is ended. Returns the sessions it paused or ended.
 */
export async function settleStoppedLabs(sessions: SessionManager, store: Store, backend: LabBackend, detail: string): Promise<string[]> {
  const touched: string[] = [];
  for (const row of store.liveSessions()) {
    const state = stateOf(row);
    // Only settled labs: a start, resume, pause or stop under way finds out for itself.
    if (row.state !== 'running' || !state || sessions.busy(row.id)) continue;
    try {
      const health = await backend.poll(state);
      if (health === 'running' || sessions.busy(row.id) || sessions.get(row.id)?.state !== 'running') continue;
      if (health === 'gone') await sessions.stop(row.id, 'admin');
      else await sessions.pause(row.id, detail);
      sessionLog(row.id).warn({ health }, `this lab's machines were ${health === 'gone' ? 'removed: ended it' : 'stopped: paused it'}`);
      touched.push(row.id);
    } catch (err) {
      sessionLog(row.id).error({ err: err instanceof Error ? err.message : String(err) }, 'could not check whether this lab still runs');
    }
  }
  return touched;
}

/** When the Docker engine answers again after it was gone. */
export function settleLabsAfterEngineReturn(sessions: SessionManager, store: Store, backend: LabBackend): Promise<string[]> {
  return settleStoppedLabs(sessions, store, backend, ENGINE_RESTARTED_DETAIL);
}

/**
 * Looks at every running lab's machines every `everyMs` while `engineAnswering()` (an engine that is
 * away is the engine watch's business). Returns the function that stops looking.
 */
export function watchRunningLabs(sessions: SessionManager, store: Store, backend: LabBackend, engineAnswering: () => boolean, everyMs = 15_000): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running || !engineAnswering()) return;
    running = true;
    void settleStoppedLabs(sessions, store, backend, MACHINES_STOPPED_DETAIL).finally(() => (running = false));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
