import crypto from 'node:crypto';
import type {
  CatalogForInstructors,
  ClassInput,
  ClassLimits,
  ClassSummaryView,
  ClassView,
  CodeAction,
  RosterEntryView,
  StudentSessionState,
} from '../contracts/classroom';
import type { SessionState } from '../contracts/protocol';
import type { LabCatalog } from '../labs/catalog';
import type { ClassRow, ClassroomStore } from '../store/classroom-store';
import type { Store } from '../store/database';
import { CLASS_CODE_LENGTH, ONE_TIME_CODE_LENGTH, randomCode } from './codes';
import { ClassroomError } from './errors';
import type { ClassDirectory, ClassRecord, ClassStudent, InstructorIdentity } from './index';

type Who = Pick<InstructorIdentity, 'id' | 'role'>;
export type ClassPatch = Partial<Omit<ClassInput, 'limits'>> & { limits?: Partial<ClassLimits>; archived?: boolean; instructorIds?: string[] };

/** The same answer whether the class does not exist or belongs to someone else. */
const NO_SUCH_CLASS = 'There is no such class.';

/**
 * Classes: what they teach, who teaches them, their codes and students.
 * Every instructor-facing method checks `canManage` itself, so no route can
 * forget to.
 */
export class ClassService implements ClassDirectory {
  /** Filled in by the pre-warm scheduler (it needs the classes first). */
  prewarmStatus: (classId: string) => { target: number; ready: number } | null = () => null;

  constructor(
    private readonly store: Store,
    private readonly rows: ClassroomStore,
    private readonly catalog: LabCatalog,
  ) {}

  private readonly updateListeners: Array<(classId: string) => void> = [];

  /** Called after every change of a class (its teachers, archived, …), synchronously. */
  onUpdated(listener: (classId: string) => void): () => void {
    this.updateListeners.push(listener);
    return () => {
      const i = this.updateListeners.indexOf(listener);
      if (i >= 0) this.updateListeners.splice(i, 1);
    };
  }

  /* ---- the directory other modules read ---- */

  get(classId: string): ClassRecord | null {
    const row = this.rows.classRow(classId);
    return row ? this.record(row) : null;
  }

  canManage(instructor: Who, classId: string): boolean {
    if (!this.rows.classRow(classId)) return false;
    return instructor.role === 'owner' || this.rows.teaches(instructor.id, classId);
  }

  listFor(instructor: Who): ClassRecord[] {
    const mine = instructor.role === 'owner' ? null : new Set(this.rows.classIdsOf(instructor.id));
    return this.rows
      .classRows()
      .filter((r) => !mine || mine.has(r.id))
      .map((r) => this.record(r));
  }

  students(classId: string): ClassStudent[] {
    return this.rows.studentsOf(classId).map((s) => ({ id: s.id, name: s.name, joinedAt: s.createdAt, admitted: s.admitted }));
  }

  readmit(classId: string, studentId: string): void {
    const student = this.rows.student(studentId);
    if (!student || student.classId !== classId) throw new ClassroomError('not_found', 'That student is not in this class.');
    this.rows.transaction(() => {
      this.rows.setAdmitted(studentId, true);
      this.rows.allowRejoinOnce(studentId, true);
    });
  }

  /** Whether a student of the class may start the lab; open practice may start any lab in the catalog. */
  labAllowed(classId: string, labId: string): boolean {
    return this.get(classId)?.labs.includes(labId) ?? false;
  }

  /* ---- the instructor's side (each checks the role) ---- */

  mustManage(instructor: Who, classId: string): ClassRecord {
    if (!this.canManage(instructor, classId)) throw new ClassroomError('not_found', NO_SUCH_CLASS);
    return this.get(classId)!;
  }

  create(instructor: Who, input: ClassInput): ClassRecord {
    this.checkInput(input);
    const row: ClassRow = {
      id: crypto.randomBytes(6).toString('base64url'),
      name: input.name,
      labs: input.labs,
      seats: input.seats,
      startsAt: input.startsAt,
      endsAt: input.endsAt,
      maxRunning: input.limits.maxRunning,
      sessionMinutes: input.limits.sessionMinutes,
      idleMinutes: input.limits.idleMinutes,
      allowRejoinByName: input.allowRejoinByName,
      archived: false,
      openPractice: false,
      joinCode: this.freshCode(CLASS_CODE_LENGTH),
      codeEnabled: true,
      codeExpiresAt: null,
      createdAt: Date.now(),
      createdBy: instructor.id,
    };
    this.rows.transaction(() => {
      this.rows.addClass(row);
      this.rows.addTeacher(row.id, instructor.id);
    });
    return this.get(row.id)!;
  }

  update(instructor: Who, classId: string, patch: ClassPatch): ClassRecord {
    const current = this.mustManage(instructor, classId);
    const row = this.rows.classRow(classId)!;
    if (current.archived && patch.archived !== false) throw new ClassroomError('conflict', 'This class is archived (read-only). Unarchive it to change it.');
    if (current.openPractice && (patch.labs || patch.seats !== undefined || patch.archived)) {
      throw new ClassroomError('invalid', 'Open practice always offers every lab, without a seat limit, and cannot be archived.');
    }
    const next: ClassInput = {
      name: patch.name ?? row.name,
      labs: patch.labs ?? row.labs,
      seats: patch.seats ?? row.seats,
      startsAt: patch.startsAt !== undefined ? patch.startsAt : row.startsAt,
      endsAt: patch.endsAt !== undefined ? patch.endsAt : row.endsAt,
      limits: { maxRunning: row.maxRunning, sessionMinutes: row.sessionMinutes, idleMinutes: row.idleMinutes, ...(patch.limits ?? {}) },
      allowRejoinByName: patch.allowRejoinByName ?? row.allowRejoinByName,
    };
    if (!current.openPractice) this.checkInput(next);
    if (patch.instructorIds !== undefined) this.checkTeachers(patch.instructorIds);
    this.rows.updateClass({
      ...row,
      name: next.name,
      labs: next.labs,
      seats: next.seats,
      startsAt: next.startsAt,
      endsAt: next.endsAt,
      maxRunning: next.limits.maxRunning,
      sessionMinutes: next.limits.sessionMinutes,
      idleMinutes: next.limits.idleMinutes,
      allowRejoinByName: next.allowRejoinByName,
      archived: patch.archived ?? row.archived,
    });
    if (patch.instructorIds !== undefined) this.rows.setTeachers(classId, [...new Set(patch.instructorIds)]);
    // A co-teacher taken off must lose the class's grid, terminals and takeovers at once, not at their next request.
    for (const listener of [...this.updateListeners]) listener(classId);
    return this.get(classId)!;
  }

  /** Co-teachers must be instructors Berth knows; a class may be left to the owners alone. */
  private checkTeachers(ids: string[]): void {
    const unknown = ids.filter((id) => !this.rows.instructor(id));
    if (unknown.length) throw new ClassroomError('invalid', `instructorIds: no instructor with id ${unknown.map((id) => JSON.stringify(id)).join(', ')}.`);
  }

  codeAction(instructor: Who, classId: string, action: CodeAction): ClassRecord {
    const cls = this.mustWritable(instructor, classId);
    if (cls.openPractice) throw new ClassroomError('invalid', 'Open practice has no join code: it is on while BERTH_OPEN_JOIN=true.');
    const row = this.rows.classRow(classId)!;
    switch (action.action) {
      case 'rotate':
        row.joinCode = this.freshCode(CLASS_CODE_LENGTH);
        row.codeEnabled = true;
        row.codeExpiresAt = null;
        break;
      case 'disable':
        row.codeEnabled = false;
        break;
      case 'enable':
        row.codeEnabled = true;
        if (!row.joinCode) row.joinCode = this.freshCode(CLASS_CODE_LENGTH);
        break;
      case 'expire':
        row.codeExpiresAt = action.expiresAt;
        break;
    }
    this.rows.updateClass(row);
    return this.get(classId)!;
  }

  oneTimeCodes(instructor: Who, classId: string, count: number): string[] {
    const cls = this.mustWritable(instructor, classId);
    if (cls.openPractice) throw new ClassroomError('invalid', 'Open practice has no join codes.');
    const codes: string[] = [];
    while (codes.length < count) {
      const code = this.freshCode(ONE_TIME_CODE_LENGTH);
      if (!codes.includes(code)) codes.push(code);
    }
    this.rows.addOneTimeCodes(classId, codes, Date.now());
    return codes;
  }

  /* ---- views ---- */

  summary(cls: ClassRecord): ClassSummaryView {
    return {
      id: cls.id,
      name: cls.name,
      labCount: cls.labs.length,
      students: this.rows.countStudents(cls.id),
      seats: cls.seats,
      running: this.rows.runningIn(cls.id),
      startsAt: cls.startsAt,
      endsAt: cls.endsAt,
      archived: cls.archived,
      openPractice: cls.openPractice,
    };
  }

  /** `baseUrl`: BERTH_PUBLIC_URL, or the allowed origin the instructor reached Berth on. */
  view(cls: ClassRecord, baseUrl: string): ClassView {
    const { code, enabled, expiresAt } = cls.joinCode;
    return {
      ...this.summary(cls),
      labs: cls.labs,
      limits: cls.limits,
      allowRejoinByName: cls.allowRejoinByName,
      joinCode: { code, enabled, expiresAt, joinUrl: code ? joinUrl(baseUrl, code) : null },
      instructors: this.rows.teachersOf(cls.id),
      prewarm: this.prewarmStatus(cls.id),
      createdAt: cls.createdAt,
    };
  }

  roster(classId: string): RosterEntryView[] {
    return this.rows.studentsOf(classId).map((s) => {
      const live = this.store.studentSessions(s.id);
      const session = live[live.length - 1];
      return {
        studentId: s.id,
        name: s.name,
        joinedAt: s.createdAt,
        admitted: s.admitted,
        session: session ? { id: session.id, labId: session.labId, state: studentState(session.state) } : null,
        lastActivityAt: session ? session.lastActivityAt : null,
      };
    });
  }

  catalogForInstructors(): CatalogForInstructors {
    const sectionOf = new Map<string, string>();
    for (const section of this.catalog.course.sections) for (const id of section.labs) sectionOf.set(id, section.title);
    return {
      labs: this.catalog
        .all()
        .map((l) => ({ id: l.id, title: l.title, summary: l.summary, minutes: l.minutes, stepCount: l.steps.length, section: sectionOf.get(l.id) ?? null })),
      sections: this.catalog.course.sections.map((s) => ({ title: s.title, labs: [...s.labs] })),
    };
  }

  /* ---- helpers ---- */

  private mustWritable(instructor: Who, classId: string): ClassRecord {
    const cls = this.mustManage(instructor, classId);
    if (cls.archived) throw new ClassroomError('conflict', 'This class is archived (read-only).');
    return cls;
  }

  private checkInput(input: ClassInput): void {
    const unknown = input.labs.filter((id) => !this.catalog.get(id));
    if (unknown.length) throw new ClassroomError('invalid', `labs: no lab called ${unknown.map((u) => `"${u}"`).join(', ')} in the catalog`);
    if (new Set(input.labs).size !== input.labs.length) throw new ClassroomError('invalid', 'labs: a lab is listed twice');
    if (input.startsAt !== null && input.endsAt !== null && input.endsAt <= input.startsAt) {
      throw new ClassroomError('invalid', 'endsAt: the class must end after it starts');
    }
  }

  private freshCode(length: number): string {
    for (;;) {
      const code = randomCode(length);
      if (!this.rows.codeTaken(code)) return code;
    }
  }

  private record(row: ClassRow): ClassRecord {
    return {
      id: row.id,
      name: row.name,
      labs: row.openPractice ? this.courseOrder() : row.labs,
      seats: row.seats,
      startsAt: row.startsAt,
      endsAt: row.endsAt,
      limits: { maxRunning: row.maxRunning, sessionMinutes: row.sessionMinutes, idleMinutes: row.idleMinutes },
      allowRejoinByName: row.allowRejoinByName,
      archived: row.archived,
      openPractice: row.openPractice,
      joinCode: { code: row.joinCode, enabled: row.codeEnabled, expiresAt: row.codeExpiresAt },
      createdAt: row.createdAt,
    };
  }

  /** Every loaded lab: those in course.yaml in its order, then the rest by title. */
  private courseOrder(): string[] {
    const ordered = this.catalog.course.sections.flatMap((s) => s.labs).filter((id) => this.catalog.get(id));
    const rest = this.catalog
      .all()
      .filter((l) => !ordered.includes(l.id))
      .sort((a, b) => a.title.localeCompare(b.title))
      .map((l) => l.id);
    return [...new Set([...ordered, ...rest])];
  }
}

export function joinUrl(baseUrl: string, code: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/#/join/${code}`;
}

function studentState(state: SessionState): StudentSessionState {
  switch (state) {
    case 'queued':
      return 'queued';
    case 'starting':
    case 'resuming':
      return 'starting';
    case 'running':
      return 'running';
    case 'paused':
      return 'paused';
    case 'failed':
      return 'failed';
    default:
      return 'ended';
  }
}
