import type { AuditEntryView } from '../contracts/classroom';
import type { ClassroomStore } from '../store/classroom-store';
import type { AuditRecordOptions, AuditTrail } from './index';

/** The audit log: who did what to which class or student, kept in the database. */
export class AuditLog implements AuditTrail {
  constructor(private readonly store: ClassroomStore) {}

  record(instructorId: string | null, action: string, opts: AuditRecordOptions = {}): void {
    this.store.addAudit(Date.now(), instructorId, action, opts.classId ?? null, opts.target ?? null, opts.detail ?? {});
  }

  list(opts: { classId?: string; classIds?: string[]; limit?: number } = {}): AuditEntryView[] {
    let classIds = opts.classIds;
    if (opts.classId) classIds = classIds ? classIds.filter((id) => id === opts.classId) : [opts.classId];
    return this.store.audit({ classIds, limit: Math.min(Math.max(opts.limit ?? 200, 1), 1000) });
  }
}
