import { log } from '../log';
import type { ClassroomStore } from '../store/classroom-store';
import type { Store } from '../store/database';

export interface ArchiveDeps {
  store: Pick<Store, 'studentSessions'>;
  rows: Pick<ClassroomStore, 'studentsOf'>;
  sessions: { stop(id: string, reason: 'admin'): Promise<unknown> };
}

/**
 * An archived class is read-only: every lab still open in it (running,
 * paused, queued) ends, so no check changes its results afterwards. The
 * session policy already refuses new starts, resumes and resets there.
 * Returns how many labs were ended.
 */
export async function endLabsOfArchivedClass(deps: ArchiveDeps, classId: string): Promise<number> {
  const open = deps.rows.studentsOf(classId).flatMap((s) => deps.store.studentSessions(s.id));
  const results = await Promise.allSettled(open.map((row) => deps.sessions.stop(row.id, 'admin')));
  const failed = results.filter((r) => r.status === 'rejected');
  // A stop that failed leaves its machines to the reconcile sweep; the session row says what happened.
  if (failed.length) log.warn({ classId, failed: failed.length }, 'archiving a class: some labs could not be ended');
  return open.length - failed.length;
}
