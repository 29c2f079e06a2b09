/**
 * The classroom door: who is a student of which class, who is an instructor,
 * what each may see. Other parts of the server (the live view, sessions,
 * realtime) use these through `ctx`, never the tables underneath.
 */
import type { AuditEntryView, ClassLimits, InstructorRole } from '../contracts/classroom';

export { ClassroomError } from './errors';
export { OPEN_PRACTICE_CLASS_ID } from '../store/migrations/002-classroom';

/** `ctx.studentOf(req)`: an admitted student; every student has a class (open practice included). */
export interface StudentIdentity {
  id: string;
  name: string;
  classId: string;
}

/** `ctx.instructorOf(req)`: the instructor behind a live login session (`loginId`). */
export interface InstructorIdentity {
  id: string;
  name: string;
  login: string;
  role: InstructorRole;
  /** The login session this request or socket rides on; revoking it disconnects the socket. */
  loginId: string;
}

/** A class as the server sees it (`ctx.classes.get`). */
export interface ClassRecord {
  id: string;
  name: string;
  /** Lab ids in teaching order. For open practice: every lab in the catalog, in course order. */
  labs: string[];
  /** Most students that may join; 0 = no limit (open practice). */
  seats: number;
  startsAt: number | null;
  endsAt: number | null;
  /** Per-class limits; null fields fall back to the global settings. */
  limits: ClassLimits;
  allowRejoinByName: boolean;
  archived: boolean;
  openPractice: boolean;
  joinCode: { code: string | null; enabled: boolean; expiresAt: number | null };
  createdAt: number;
}

/** One row of `ctx.classes.students(classId)`. */
export interface ClassStudent {
  id: string;
  name: string;
  joinedAt: number;
  /** False once removed or locked out; `readmit` lets them in again. */
  admitted: boolean;
}

/** `ctx.classes`: read access and the role check, in one place. */
export interface ClassDirectory {
  get(classId: string): ClassRecord | null;
  /** Owners manage every class; instructors only the classes they teach. */
  canManage(instructor: Pick<InstructorIdentity, 'id' | 'role'>, classId: string): boolean;
  /** The classes an instructor may see (owners: all), newest first, archived last. */
  listFor(instructor: Pick<InstructorIdentity, 'id' | 'role'>): ClassRecord[];
  students(classId: string): ClassStudent[];
  /** Lets a removed or locked-out student back in; throws ClassroomError('not_found') if not in the class. */
  readmit(classId: string, studentId: string): void;
}

export interface AuditRecordOptions {
  classId?: string | null;
  target?: string | null;
  detail?: Record<string, unknown>;
}

/** `ctx.audit`: every instructor action, in order. */
export interface AuditTrail {
  record(instructorId: string | null, action: string, opts?: AuditRecordOptions): void;
  /** Newest first. `classIds` restricts to those classes (an instructor's view); omitted = everything. */
  list(opts?: { classId?: string; classIds?: string[]; limit?: number }): AuditEntryView[];
}
