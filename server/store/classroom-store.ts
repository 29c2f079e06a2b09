import type Database from 'better-sqlite3';
import type { AuditEntryView, ClassInput, ClassLimits, ClassView, InstructorView, LoginSessionView } from '../contracts/classroom';

/** An instructor as stored: the contract's view plus the password hash, which never leaves the server. */
export interface InstructorRow extends InstructorView {
  passwordHash: string;
}

/** A login as stored: whose it is instead of `current`, which depends on who asks. */
export interface LoginRow extends Omit<LoginSessionView, 'current'> {
  instructorId: string;
}

/**
 * A class as stored. Differs from ClassView on purpose: limits are flat (a
 * column each) and the join code is its raw columns, not the JoinCodeView
 * with its URL.
 */
export interface ClassRow extends Omit<ClassInput, 'limits'>, ClassLimits {
  id: string;
  archived: boolean;
  openPractice: boolean;
  joinCode: string | null;
  codeEnabled: boolean;
  codeExpiresAt: number | null;
  createdAt: number;
  createdBy: string | null;
}

/** A class member as stored (the roster's view joins it with their session, under other names). */
export interface StudentRow {
  id: string;
  name: string;
  classId: string;
  admitted: boolean;
  createdAt: number;
}

/** The audit log's rows are exactly what instructors read. */
export type AuditRow = AuditEntryView;

interface ClassRecord {
  id: string;
  name: string;
  labs: string;
  seats: number;
  starts_at: number | null;
  ends_at: number | null;
  max_running: number | null;
  session_minutes: number | null;
  idle_minutes: number | null;
  allow_rejoin_by_name: number;
  archived: number;
  open_practice: number;
  join_code: string | null;
  code_enabled: number;
  code_expires_at: number | null;
  created_at: number;
  created_by: string | null;
}

const INSTRUCTOR_COLUMNS = 'id, login, name, role, password_hash AS passwordHash, created_at AS createdAt';
const LOGIN_COLUMNS =
  'id, instructor_id AS instructorId, created_at AS createdAt, last_seen_at AS lastSeenAt, expires_at AS expiresAt, user_agent AS userAgent, address';
const STUDENT_COLUMNS = 'id, name, class_id AS classId, admitted, created_at AS createdAt';

/**
 * The classroom tables (migration 002): instructors and their logins, classes
 * and their codes, class membership, the audit log. SQL only; the rules live
 * in server/classroom/.
 */
export class ClassroomStore {
  constructor(private readonly db: Database.Database) {}

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /* instructors */
  countInstructors(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM instructors').get() as { n: number }).n;
  }

  addInstructor(row: InstructorRow): void {
    this.db
      .prepare('INSERT INTO instructors (id, login, name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(row.id, row.login, row.name, row.role, row.passwordHash, row.createdAt);
  }

  instructor(id: string): InstructorRow | undefined {
    return this.db.prepare(`SELECT ${INSTRUCTOR_COLUMNS} FROM instructors WHERE id = ?`).get(id) as InstructorRow | undefined;
  }

  instructorByLogin(login: string): InstructorRow | undefined {
    return this.db.prepare(`SELECT ${INSTRUCTOR_COLUMNS} FROM instructors WHERE login = ?`).get(login) as InstructorRow | undefined;
  }

  instructors(): InstructorRow[] {
    return this.db.prepare(`SELECT ${INSTRUCTOR_COLUMNS} FROM instructors ORDER BY created_at`).all() as InstructorRow[];
  }

  setPassword(id: string, passwordHash: string): void {
    this.db.prepare('UPDATE instructors SET password_hash = ? WHERE id = ?').run(passwordHash, id);
  }

  /* login sessions */
  addLogin(row: LoginRow, tokenHash: string): void {
    this.db
      .prepare(
        'INSERT INTO instructor_logins (id, instructor_id, token_hash, created_at, last_seen_at, expires_at, user_agent, address) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(row.id, row.instructorId, tokenHash, row.createdAt, row.lastSeenAt, row.expiresAt, row.userAgent, row.address);
  }

  loginByToken(tokenHash: string, now: number): LoginRow | undefined {
    return this.db
      .prepare(`SELECT ${LOGIN_COLUMNS} FROM instructor_logins WHERE token_hash = ? AND revoked_at IS NULL AND expires_at > ?`)
      .get(tokenHash, now) as LoginRow | undefined;
  }

  touchLogin(id: string, lastSeenAt: number, expiresAt: number): void {
    this.db.prepare('UPDATE instructor_logins SET last_seen_at = ?, expires_at = ? WHERE id = ?').run(lastSeenAt, expiresAt, id);
  }

  liveLogins(instructorId: string, now: number): LoginRow[] {
    return this.db
      .prepare(`SELECT ${LOGIN_COLUMNS} FROM instructor_logins WHERE instructor_id = ? AND revoked_at IS NULL AND expires_at > ? ORDER BY last_seen_at DESC`)
      .all(instructorId, now) as LoginRow[];
  }

  /** Revokes the given logins of an instructor (all when `ids` is omitted); returns the ids revoked. */
  revokeLogins(instructorId: string, now: number, ids?: string[]): string[] {
    const live = this.liveLogins(instructorId, now).map((l) => l.id);
    const chosen = ids ? live.filter((id) => ids.includes(id)) : live;
    const stmt = this.db.prepare('UPDATE instructor_logins SET revoked_at = ? WHERE id = ?');
    this.transaction(() => chosen.forEach((id) => stmt.run(now, id)));
    return chosen;
  }

  /* classes */
  addClass(row: ClassRow): void {
    this.db
      .prepare(
        `INSERT INTO classes (id, name, labs, seats, starts_at, ends_at, max_running, session_minutes, idle_minutes, allow_rejoin_by_name, archived,
           open_practice, join_code, code_enabled, code_expires_at, created_at, created_by)
         VALUES (@id, @name, @labs, @seats, @starts_at, @ends_at, @max_running, @session_minutes, @idle_minutes, @allow_rejoin_by_name, @archived,
           @open_practice, @join_code, @code_enabled, @code_expires_at, @created_at, @created_by)`,
      )
      .run(toClassRecord(row));
  }

  updateClass(row: ClassRow): void {
    this.db
      .prepare(
        `UPDATE classes SET name=@name, labs=@labs, seats=@seats, starts_at=@starts_at, ends_at=@ends_at, max_running=@max_running,
           session_minutes=@session_minutes, idle_minutes=@idle_minutes, allow_rejoin_by_name=@allow_rejoin_by_name, archived=@archived,
           join_code=@join_code, code_enabled=@code_enabled, code_expires_at=@code_expires_at WHERE id=@id`,
      )
      .run(toClassRecord(row));
  }

  classRow(id: string): ClassRow | undefined {
    const rec = this.db.prepare('SELECT * FROM classes WHERE id = ?').get(id) as ClassRecord | undefined;
    return rec ? fromClassRecord(rec) : undefined;
  }

  classByCode(code: string): ClassRow | undefined {
    const rec = this.db.prepare('SELECT * FROM classes WHERE join_code = ?').get(code) as ClassRecord | undefined;
    return rec ? fromClassRecord(rec) : undefined;
  }

  classRows(): ClassRow[] {
    return (this.db.prepare('SELECT * FROM classes ORDER BY archived, created_at DESC').all() as ClassRecord[]).map(fromClassRecord);
  }

  classIdsOf(instructorId: string): string[] {
    return (this.db.prepare('SELECT class_id FROM class_instructors WHERE instructor_id = ?').all(instructorId) as Array<{ class_id: string }>).map((r) => r.class_id);
  }

  teaches(instructorId: string, classId: string): boolean {
    return Boolean(this.db.prepare('SELECT 1 FROM class_instructors WHERE instructor_id = ? AND class_id = ?').get(instructorId, classId));
  }

  addTeacher(classId: string, instructorId: string): void {
    this.db.prepare('INSERT OR IGNORE INTO class_instructors (class_id, instructor_id) VALUES (?, ?)').run(classId, instructorId);
  }

  /** Replaces who teaches the class, in one transaction. */
  setTeachers(classId: string, instructorIds: string[]): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM class_instructors WHERE class_id = ?').run(classId);
      for (const id of instructorIds) this.addTeacher(classId, id);
    })();
  }

  teachersOf(classId: string): ClassView['instructors'] {
    return this.db
      .prepare('SELECT i.id, i.name FROM class_instructors ci JOIN instructors i ON i.id = ci.instructor_id WHERE ci.class_id = ? ORDER BY i.name')
      .all(classId) as ClassView['instructors'];
  }

  /* one-time codes */
  addOneTimeCodes(classId: string, codes: string[], now: number): void {
    const stmt = this.db.prepare('INSERT INTO one_time_codes (code, class_id, created_at) VALUES (?, ?, ?)');
    this.transaction(() => codes.forEach((c) => stmt.run(c, classId, now)));
  }

  unusedOneTimeCode(code: string): { classId: string } | undefined {
    return this.db.prepare('SELECT class_id AS classId FROM one_time_codes WHERE code = ? AND used_at IS NULL').get(code) as { classId: string } | undefined;
  }

  /** Marks a one-time code used; false if someone used it first. */
  useOneTimeCode(code: string, studentId: string, now: number): boolean {
    return this.db.prepare('UPDATE one_time_codes SET used_at = ?, used_by = ? WHERE code = ? AND used_at IS NULL').run(now, studentId, code).changes === 1;
  }

  codeTaken(code: string): boolean {
    return Boolean(
      this.db.prepare('SELECT 1 FROM classes WHERE join_code = ? UNION ALL SELECT 1 FROM one_time_codes WHERE code = ?').get(code, code),
    );
  }

  /* students of classes */
  addStudent(id: string, name: string, classId: string, now: number): void {
    this.db.prepare('INSERT INTO students (id, name, created_at, class_id, admitted) VALUES (?, ?, ?, ?, 1)').run(id, name, now, classId);
  }

  student(id: string): StudentRow | undefined {
    const row = this.db.prepare(`SELECT ${STUDENT_COLUMNS} FROM students WHERE id = ?`).get(id) as (Omit<StudentRow, 'admitted'> & { admitted: number }) | undefined;
    return row ? { ...row, admitted: row.admitted === 1 } : undefined;
  }

  studentByName(classId: string, name: string): StudentRow | undefined {
    const row = this.db.prepare(`SELECT ${STUDENT_COLUMNS} FROM students WHERE class_id = ? AND lower(name) = lower(?)`).get(classId, name) as
      | (Omit<StudentRow, 'admitted'> & { admitted: number })
      | undefined;
    return row ? { ...row, admitted: row.admitted === 1 } : undefined;
  }

  studentsOf(classId: string): StudentRow[] {
    return (this.db.prepare(`SELECT ${STUDENT_COLUMNS} FROM students WHERE class_id = ? ORDER BY created_at`).all(classId) as Array<Omit<StudentRow, 'admitted'> & { admitted: number }>).map(
      (r) => ({ ...r, admitted: r.admitted === 1 }),
    );
  }

  countStudents(classId: string): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM students WHERE class_id = ?').get(classId) as { n: number }).n;
  }

  setAdmitted(studentId: string, admitted: boolean): void {
    this.db.prepare('UPDATE students SET admitted = ? WHERE id = ?').run(admitted ? 1 : 0, studentId);
  }

  /** A re-admit lets the student come back once by code and name (a shared PC, a new browser). */
  allowRejoinOnce(studentId: string, allowed: boolean): void {
    this.db.prepare('UPDATE students SET rejoin_once = ? WHERE id = ?').run(allowed ? 1 : 0, studentId);
  }

  /** Uses up the one rejoin a re-admit granted; false if there was none. */
  takeRejoin(studentId: string): boolean {
    return this.db.prepare('UPDATE students SET rejoin_once = 0 WHERE id = ? AND rejoin_once = 1').run(studentId).changes === 1;
  }

  /** Students of the class with a session that holds (or will hold) machines. */
  runningIn(classId: string): number {
    return (
      this.db
        .prepare(`SELECT COUNT(*) AS n FROM sessions s JOIN students st ON st.id = s.student_id WHERE st.class_id = ? AND s.state IN ('starting', 'running', 'resuming')`)
        .get(classId) as { n: number }
    ).n;
  }

  /* audit */
  addAudit(at: number, instructorId: string | null, action: string, classId: string | null, target: string | null, detail: Record<string, unknown>): void {
    this.db
      .prepare('INSERT INTO audit_log (at, instructor_id, action, class_id, target, detail) VALUES (?, ?, ?, ?, ?, ?)')
      .run(at, instructorId, action, classId, target, JSON.stringify(detail));
  }

  audit(opts: { classIds?: string[]; limit: number }): AuditRow[] {
    const where = opts.classIds ? `WHERE a.class_id IN (${opts.classIds.map(() => '?').join(',') || 'NULL'})` : '';
    const rows = this.db
      .prepare(
        `SELECT a.id, a.at, a.instructor_id AS instructorId, i.name AS instructorName, a.action, a.class_id AS classId, a.target, a.detail
         FROM audit_log a LEFT JOIN instructors i ON i.id = a.instructor_id ${where} ORDER BY a.id DESC LIMIT ?`,
      )
      .all(...(opts.classIds ?? []), opts.limit) as Array<Omit<AuditRow, 'detail'> & { detail: string }>;
    return rows.map((r) => ({ ...r, detail: JSON.parse(r.detail) as Record<string, unknown> }));
  }
}

function toClassRecord(row: ClassRow): ClassRecord {
  return {
    id: row.id,
    name: row.name,
    labs: JSON.stringify(row.labs),
    seats: row.seats,
    starts_at: row.startsAt,
    ends_at: row.endsAt,
    max_running: row.maxRunning,
    session_minutes: row.sessionMinutes,
    idle_minutes: row.idleMinutes,
    allow_rejoin_by_name: row.allowRejoinByName ? 1 : 0,
    archived: row.archived ? 1 : 0,
    open_practice: row.openPractice ? 1 : 0,
    join_code: row.joinCode,
    code_enabled: row.codeEnabled ? 1 : 0,
    code_expires_at: row.codeExpiresAt,
    created_at: row.createdAt,
    created_by: row.createdBy,
  };
}

function fromClassRecord(rec: ClassRecord): ClassRow {
  return {
    id: rec.id,
    name: rec.name,
    labs: JSON.parse(rec.labs) as string[],
    seats: rec.seats,
    startsAt: rec.starts_at,
    endsAt: rec.ends_at,
    maxRunning: rec.max_running,
    sessionMinutes: rec.session_minutes,
    idleMinutes: rec.idle_minutes,
    allowRejoinByName: rec.allow_rejoin_by_name === 1,
    archived: rec.archived === 1,
    openPractice: rec.open_practice === 1,
    joinCode: rec.join_code,
    codeEnabled: rec.code_enabled === 1,
    codeExpiresAt: rec.code_expires_at,
    createdAt: rec.created_at,
    createdBy: rec.created_by,
  };
}
