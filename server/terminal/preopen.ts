import { storedState } from '../backend/lab-backend';
import type { EventBus } from '../events';
import type { LabCatalog } from '../labs/catalog';
import { sessionLog } from '../log';
import type { Store } from '../store/database';
import type { TerminalManager } from './terminal-manager';

/**
 * When a lab becomes running (started or resumed) with no terminal open yet,
 * its first machine's main terminal is opened at once instead of when the
 * page asks for it. The page needs a moment to switch to the lab and mount
 * its terminal; the shell starts in that moment, so the prompt is there when
 * the page attaches. A session that already has a terminal (the instructor
 * extended its time, which announces `running` again) is left as it is.
 */
export function preopenMainTerminals(bus: EventBus, terminals: TerminalManager, store: Store, catalog: LabCatalog): void {
  bus.on('status', ({ sessionId, state }) => {
    if (state !== 'running' || terminals.hasTerminals(sessionId)) return;
    const row = store.getSession(sessionId);
    const machine = row && catalog.get(row.labId)?.machines[0]?.name;
    if (!row || !machine) return;
    let backendState;
    try {
      backendState = storedState(row.backendState);
    } catch {
      return; // a state no backend reads: the page's own attach reports it
    }
    if (!backendState) return;
    // Not fatal: the page's attach opens the terminal itself and reports what went wrong.
    terminals.preopen(sessionId, backendState, machine).catch((err: unknown) => sessionLog(sessionId).debug({ err: String(err), machine }, 'pre-opening the main terminal failed'));
  });
}
