import type { ClassStudent } from '../classroom';
import type { LabCatalog } from '../labs/catalog';
import type { SessionRow, Store } from '../store/database';
import { labOutline, type LabOutline, type StudentFacts } from './facts';
import type { StepStore } from './step-store';

interface LastSession {
  id: string;
  lab_id: string;
  state: SessionRow['state'];
  created_at: number;
  last_activity_at: number;
}

/**
 * Gathers what the builders need about some students from the store, in a
 * few queries per student. The only impure part of the grid and results.
 */
export class FactGatherer {
  constructor(
    private readonly store: Store,
    private readonly catalog: LabCatalog,
    private readonly steps: StepStore,
    private readonly takeoverOf: (studentId: string) => boolean,
    /** Typing not yet written to the session row (the session sweep writes it later). */
    private readonly typedAt: (sessionId: string) => number | undefined = () => undefined,
    /** Terminals open in a live session, extra ones ("machine:2") included. */
    private readonly openTerminals: (sessionId: string) => string[] = () => [],
  ) {}

  /**
   * Every terminal the instructor can watch: each machine's first (always
   * there once the lab runs: Berth opens it ahead), then any more the student
   * opened, in machine order and by number.
   */
  private terminals(sessionId: string, machines: string[]): string[] {
    const extra = this.openTerminals(sessionId).filter((id) => !machines.includes(id));
    const order = (id: string) => {
      const [machine, n] = id.split(':');
      return [machines.indexOf(machine), Number(n) || 0] as const;
    };
    extra.sort((a, b) => order(a)[0] - order(b)[0] || order(a)[1] - order(b)[1] || a.localeCompare(b));
    const out: string[] = [];
    for (const m of machines) out.push(m, ...extra.filter((id) => id.split(':')[0] === m));
    return out;
  }

  /** The class's labs as outlines, skipping any no longer in the catalog. */
  labs(labIds: string[]): LabOutline[] {
    return labIds.flatMap((id) => {
      const lab = this.catalog.get(id);
      return lab ? [labOutline(lab)] : [];
    });
  }

  /** The live session if there is one, else the newest (a student whose lab ended still shows how). */
  private session(studentId: string): LastSession | undefined {
    return this.store.db
      .prepare(
        `SELECT id, lab_id, state, created_at, last_activity_at FROM sessions WHERE student_id = ?
         ORDER BY (state NOT IN ('ended', 'failed')) DESC, created_at DESC LIMIT 1`,
      )
      .get(studentId) as LastSession | undefined;
  }

  facts(students: ClassStudent[]): StudentFacts[] {
    const records = this.steps.forStudents(students.map((s) => s.id));
    return students.map((s) => {
      const session = this.session(s.id);
      const lab = session ? this.catalog.get(session.lab_id) : undefined;
      return {
        id: s.id,
        name: s.name,
        admitted: s.admitted,
        session: session
          ? {
              id: session.id,
              labId: session.lab_id,
              state: session.state,
              createdAt: session.created_at,
              lastActivityAt: Math.max(session.last_activity_at, this.typedAt(session.id) ?? 0),
            }
          : null,
        terminals: session && lab ? this.terminals(session.id, lab.machines.map((m) => m.name)) : [],
        progress: this.store.allProgress(s.id),
        steps: records.filter((r) => r.studentId === s.id),
        takeover: this.takeoverOf(s.id),
      };
    });
  }
}
