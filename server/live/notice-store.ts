import crypto from 'node:crypto';
import type Database from 'better-sqlite3';
import type { NoticeView } from '../contracts/classroom';

interface NoticeRecord {
  id: string;
  class_id: string | null;
  student_id: string | null;
  kind: NoticeView['kind'];
  from_name: string;
  text: string;
  at: number;
}

const view = (r: NoticeRecord): NoticeView => ({ id: r.id, kind: r.kind, from: r.from_name, text: r.text, at: r.at });

/**
 * Messages to one student and broadcasts to a class, kept until the student
 * dismisses them: a banner must survive a reload and a server restart.
 */
export class NoticeStore {
  constructor(private readonly db: Database.Database) {}

  add(notice: { classId: string | null; studentId: string | null; kind: NoticeView['kind']; from: string; text: string }): NoticeView {
    const rec: NoticeRecord = {
      id: crypto.randomBytes(9).toString('base64url'),
      class_id: notice.classId,
      student_id: notice.studentId,
      kind: notice.kind,
      from_name: notice.from,
      text: notice.text,
      at: Date.now(),
    };
    this.db.prepare('INSERT INTO notices (id, class_id, student_id, kind, from_name, text, at) VALUES (@id, @class_id, @student_id, @kind, @from_name, @text, @at)').run(rec);
    return view(rec);
  }

  /** Undismissed notices for a student: sent to them, or broadcast to one of their classes. */
  pendingFor(studentId: string, classIds: string[]): NoticeView[] {
    const classes = classIds.length ? `OR (n.student_id IS NULL AND n.class_id IN (${classIds.map(() => '?').join(',')}))` : '';
    // rowid breaks ties within a millisecond: notices read in the order they were sent.
    const rows = this.db
      .prepare(
        `SELECT n.* FROM notices n
         WHERE (n.student_id = ? ${classes})
           AND NOT EXISTS (SELECT 1 FROM notice_dismissals d WHERE d.notice_id = n.id AND d.student_id = ?)
         ORDER BY n.at, n.rowid`,
      )
      .all(studentId, ...classIds, studentId) as NoticeRecord[];
    return rows.map(view);
  }

  /** Dismisses a notice the student can see; false when there is none by that id for them. */
  dismiss(noticeId: string, studentId: string, classIds: string[]): boolean {
    const visible = this.pendingFor(studentId, classIds).some((n) => n.id === noticeId);
    if (!visible) return false;
    this.db.prepare('INSERT INTO notice_dismissals (notice_id, student_id, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING').run(noticeId, studentId, Date.now());
    return true;
  }
}
