import crypto from 'node:crypto';
import type { BerthConfig } from '../config';
import type { JoinRequest } from '../contracts/classroom';
import type { ClassroomStore, StudentRow } from '../store/classroom-store';
import { OPEN_PRACTICE_CLASS_ID } from '../store/migrations/002-classroom';
import type { ClassService } from './classes';
import { normalizeCode } from './codes';
import { ClassroomError } from './errors';
import type { ClassRecord, StudentIdentity } from './index';
import { RateLimiter } from './rate-limiter';

/** One answer for every code that does not let you in: nobody learns whether a class exists. */
export const WRONG_CODE = 'That code does not let you in. Check it with your instructor (it may have changed or expired).';

export interface JoinOutcome {
  student: StudentIdentity;
  /** False when an existing student came back (same browser, or by name where allowed). */
  created: boolean;
}

/**
 * The student's side of the door: a code (or, in open practice, just a
 * name) becomes a student of one class. Wrong codes are counted per address;
 * right ones are not, since a whole class often shares one NAT address.
 */
export class JoinService {
  private readonly failures: RateLimiter;

  constructor(
    private readonly config: BerthConfig,
    private readonly rows: ClassroomStore,
    private readonly classes: ClassService,
  ) {
    this.failures = new RateLimiter(config.classroom.joinFailuresPerAddress, config.classroom.joinWindowMinutes * 60_000);
  }

  /**
   * `current`: the student this browser's cookie names (even if not admitted),
   * so returning on the same browser resumes instead of making a second student.
   */
  join(req: JoinRequest, address: string, current: StudentRow | null): JoinOutcome {
    const name = checkName(req.name);
    if (!this.failures.allowed(address)) {
      throw new ClassroomError('rate_limited', 'Too many wrong codes from this computer. Wait a few minutes, then try again.');
    }
    const rawCode = (req.code ?? '').trim();
    if (!rawCode) {
      if (!this.config.classroom.openJoin) throw new ClassroomError('invalid', 'code: enter the class code your instructor shows you.');
      return this.enter(this.classes.get(OPEN_PRACTICE_CLASS_ID)!, name, current, null);
    }
    const code = normalizeCode(rawCode);
    const byClassCode = code ? this.rows.classByCode(code) : undefined;
    const now = Date.now();
    if (byClassCode && byClassCode.codeEnabled && !byClassCode.archived && (byClassCode.codeExpiresAt === null || byClassCode.codeExpiresAt > now)) {
      return this.enter(this.classes.get(byClassCode.id)!, name, current, null);
    }
    const oneTime = code && !byClassCode ? this.rows.unusedOneTimeCode(code) : undefined;
    const oneTimeClass = oneTime ? this.classes.get(oneTime.classId) : null;
    if (code && oneTimeClass && !oneTimeClass.archived) return this.enter(oneTimeClass, name, current, code);
    this.failures.hit(address);
    throw new ClassroomError('forbidden', WRONG_CODE);
  }

  private enter(cls: ClassRecord, name: string, current: StudentRow | null, oneTimeCode: string | null): JoinOutcome {
    // Same browser, same class: carry on as that student, whatever name was typed.
    if (current && current.classId === cls.id) {
      if (!current.admitted) throw new ClassroomError('forbidden', 'Your instructor has to let you back into this class. Ask them to re-admit you.');
      return { student: identity(current), created: false };
    }
    if (!cls.openPractice) {
      const same = this.rows.studentByName(cls.id, name);
      if (same) {
        // A shared PC or a new browser: by name only where the class allows it, or once after a re-admit.
        if (same.admitted && (cls.allowRejoinByName || this.rows.takeRejoin(same.id))) return { student: identity(same), created: false };
        throw new ClassroomError(
          'conflict',
          `Someone in this class already uses the name "${same.name}". If that is you on another computer, ask your instructor to let you back in; otherwise add an initial to your name.`,
        );
      }
      if (cls.seats > 0 && this.rows.countStudents(cls.id) >= cls.seats) {
        throw new ClassroomError('conflict', `This class is full (${cls.seats} seats). Ask your instructor.`);
      }
    }
    const id = newStudentId();
    const now = Date.now();
    this.rows.transaction(() => {
      if (oneTimeCode && !this.rows.useOneTimeCode(oneTimeCode, id, now)) throw new ClassroomError('forbidden', WRONG_CODE);
      this.rows.addStudent(id, name, cls.id, now);
    });
    return { student: { id, name, classId: cls.id }, created: true };
  }
}

function identity(row: StudentRow): StudentIdentity {
  return { id: row.id, name: row.name, classId: row.classId };
}

export function checkName(raw: unknown): string {
  const name = typeof raw === 'string' ? raw.trim().replace(/\s+/g, ' ') : '';
  if (name.length < 1 || name.length > 60 || /[\u0000-\u001f\u007f<>]/.test(name)) {
    throw new ClassroomError('invalid', 'name: please enter a name of 1 to 60 characters, without < or >.');
  }
  return name;
}

/**
 * A student's id is in result exports, URLs and command lines, so it never begins with "-" or "_":
 * a spreadsheet would read "-…" as a formula (the export then guards it with an apostrophe, which
 * breaks matching it with other data), and a command line as an option.
 */
export function newStudentId(): string {
  for (;;) {
    const id = crypto.randomBytes(9).toString('base64url');
    if (/^[A-Za-z0-9]/.test(id)) return id;
  }
}
