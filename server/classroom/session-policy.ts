import type { BerthConfig } from '../config';
import { SessionError } from '../sessions/session-manager';
import type { ClassroomStore } from '../store/classroom-store';
import type { ClassService } from './classes';

/**
 * What the session layer asks about a student's class before it starts,
 * queues or pauses a lab. The session layer knows nothing of classes; it
 * only calls these.
 */
export interface SessionPolicy {
  /** Throws a SessionError when the student may not start, resume or reset this lab (checked before anything is changed). */
  admit(studentId: string, labId: string): void;
  /** Whether the student's class is below its own limit of labs running at once. */
  hasRoom(studentId: string): boolean;
  /** The class's time limit and idle pause, or null for the global setting. */
  sessionMinutes(studentId: string): number | null;
  idleMinutes(studentId: string): number | null;
}

export class ClassSessionPolicy implements SessionPolicy {
  constructor(
    private readonly config: BerthConfig,
    private readonly rows: ClassroomStore,
    private readonly classes: ClassService,
  ) {}

  admit(studentId: string, labId: string): void {
    const cls = this.classOf(studentId);
    if (!cls) throw new SessionError('forbidden', 'Please join a class first.');
    if (cls.archived) throw new SessionError('forbidden', `The class "${cls.name}" has ended (archived): labs can no longer be started.`, { reason: 'archived' });
    // Open practice exists only while BERTH_OPEN_JOIN is on; students who joined it earlier (or came from 0.1) are not let in by a cookie alone.
    if (cls.openPractice && !this.config.classroom.openJoin) {
      throw new SessionError('forbidden', 'Open practice is closed on this Berth: join your class with the code your instructor gives you.', { reason: 'open_join_off' });
    }
    if (!cls.labs.includes(labId)) {
      throw new SessionError('forbidden', `The lab "${labId}" is not part of your class "${cls.name}". Pick one of your class's labs.`, { reason: 'not_in_class' });
    }
  }

  hasRoom(studentId: string): boolean {
    const cls = this.classOf(studentId);
    const max = cls?.limits.maxRunning;
    return !cls || !max || this.rows.runningIn(cls.id) < Math.min(max, this.config.sessions.maxRunning);
  }

  sessionMinutes(studentId: string): number | null {
    return this.classOf(studentId)?.limits.sessionMinutes ?? null;
  }

  idleMinutes(studentId: string): number | null {
    return this.classOf(studentId)?.limits.idleMinutes ?? null;
  }

  private classOf(studentId: string) {
    const student = this.rows.student(studentId);
    return student ? this.classes.get(student.classId) : null;
  }
}
