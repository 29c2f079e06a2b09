import type { ClassDirectory, InstructorIdentity } from '../classroom';
import { ClassroomError } from '../classroom/errors';
import type { StudentAction } from '../contracts/classroom';
import type { LabCatalog } from '../labs/catalog';
import type { ProgressService } from '../sessions/progress-service';
import type { SessionManager } from '../sessions/session-manager';
import type { SessionRow, Store } from '../store/database';
import type { StepStore } from './step-store';

export interface ActionDeps {
  store: Store;
  catalog: LabCatalog;
  sessions: SessionManager;
  progress: ProgressService;
  classes: Pick<ClassDirectory, 'get' | 'students' | 'readmit'>;
  steps: StepStore;
}

/** What the audit log keeps about one action on one student. */
export interface ActionOutcome {
  detail: Record<string, unknown>;
  /** Something the student should read now (sent as a system notice). */
  tell?: string;
}

/** A hint's HTML as plain text for a notice banner (notices are text, never markup). */
export function plainText(html: string): string {
  const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", nbsp: ' ' };
  return html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (_m, e: string) => entities[e])
    .replace(/\s+/g, ' ')
    .trim();
}

function liveSession(store: Store, studentId: string): SessionRow {
  const row = store.studentSessions(studentId)[0];
  if (!row) throw new ClassroomError('conflict', 'This student has no lab open.');
  return row;
}

/** The live session, else the newest one: a reset also brings back a lab that ended. */
function latestSession(store: Store, studentId: string): SessionRow {
  const live = store.studentSessions(studentId)[0];
  if (live) return live;
  const rec = store.db.prepare('SELECT id FROM sessions WHERE student_id = ? ORDER BY created_at DESC LIMIT 1').get(studentId) as { id: string } | undefined;
  const row = rec ? store.getSession(rec.id) : undefined;
  if (!row) throw new ClassroomError('conflict', 'This student has not started a lab yet.');
  return row;
}

/**
 * Does one instructor action to one student of the class, through the same
 * services the student's own buttons use. Throws a ClassroomError or a
 * SessionError the caller reports per student.
 */
export async function runStudentAction(deps: ActionDeps, instructor: InstructorIdentity, classId: string, studentId: string, action: StudentAction): Promise<ActionOutcome> {
  if (!deps.classes.students(classId).some((s) => s.id === studentId)) throw new ClassroomError('not_found', 'That student is not in this class.');
  switch (action.action) {
    case 'reset': {
      const row = latestSession(deps.store, studentId);
      const ticket = await deps.sessions.reset(row.id);
      return { detail: { labId: row.labId, oldSessionId: row.id, sessionId: ticket.session.id } };
    }
    case 'extend': {
      const row = deps.sessions.extend(liveSession(deps.store, studentId).id);
      return { detail: { sessionId: row.id, expiresAt: row.expiresAt } };
    }
    case 'pause': {
      const row = liveSession(deps.store, studentId);
      if (row.state !== 'running') throw new ClassroomError('conflict', `This student's lab is ${row.state}, not running.`);
      await deps.sessions.pause(row.id);
      return { detail: { sessionId: row.id } };
    }
    case 'resume': {
      const row = liveSession(deps.store, studentId);
      if (row.state !== 'paused') throw new ClassroomError('conflict', `This student's lab is ${row.state}, not paused.`);
      await deps.sessions.resume(row.id);
      return { detail: { sessionId: row.id } };
    }
    case 'end': {
      const row = liveSession(deps.store, studentId);
      await deps.sessions.stop(row.id, 'admin');
      return { detail: { sessionId: row.id } };
    }
    case 'readmit':
      deps.classes.readmit(classId, studentId);
      return { detail: {} };
    case 'reveal_hint': {
      const row = liveSession(deps.store, studentId);
      const step = deps.store.getProgress(studentId, row.labId).currentStep;
      const reply = deps.progress.revealHint(row.id, step);
      if (!reply.ok) throw new ClassroomError('conflict', reply.error ?? 'No hint to reveal.');
      // The lab page shows hints the student opened; one the instructor opened reaches them as a notice.
      return { detail: { sessionId: row.id, labId: row.labId, step }, tell: `A hint for step ${step + 1}: ${plainText(reply.html ?? '')}` };
    }
    case 'mark_done': {
      const cls = deps.classes.get(classId);
      if (!cls?.labs.includes(action.labId)) throw new ClassroomError('invalid', `labId: "${action.labId}" is not one of this class's labs.`);
      const steps = deps.catalog.get(action.labId)?.steps.length ?? 0;
      if (action.step >= steps) throw new ClassroomError('invalid', `step: lab "${action.labId}" has ${steps} steps (numbered from 0).`);
      const before = deps.store.getProgress(studentId, action.labId);
      if (before.completed.includes(action.step)) throw new ClassroomError('conflict', `Step ${action.step + 1} is already done.`);
      // The mark is recorded before the progress event, so the history never counts it as a pass.
      deps.steps.mark(studentId, action.labId, action.step, { id: instructor.id, name: instructor.name }, action.reason, Date.now());
      deps.progress.markDone(studentId, action.labId, action.step);
      return { detail: { labId: action.labId, step: action.step, reason: action.reason } };
    }
  }
}
