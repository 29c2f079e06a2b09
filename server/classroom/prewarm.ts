import type { LabBackend } from '../backend/lab-backend';
import type { BerthConfig } from '../config';
import type { LabCatalog } from '../labs/catalog';
import { log } from '../log';
import type { ClassroomStore } from '../store/classroom-store';
import type { Store } from '../store/database';
import type { ClassService } from './classes';

/** After the start time, keep filling this long: latecomers still get warm machines. */
const GRACE_MS = 15 * 60_000;

/**
 * Scheduled pre-warm: shortly before a class starts, ask the backend's warm
 * pool for enough machines for the seats of its first lab, so thirty
 * students pressing Start at nine get prompts at warm-pool speed. Bounded by
 * BERTH_PREWARM_MAX (all classes together) and BERTH_MAX_SESSIONS; the extra
 * machines are given back once the start is over.
 */
export class PrewarmScheduler {
  private timer: NodeJS.Timeout | null = null;
  private targets = new Map<string, number>();
  private extra = 0;
  private busy = false;

  constructor(
    private readonly config: BerthConfig,
    private readonly store: Store,
    private readonly rows: ClassroomStore,
    private readonly classes: ClassService,
    private readonly catalog: LabCatalog,
    private readonly backend: LabBackend,
  ) {}

  start(everyMs = 30_000): void {
    if (!this.backend.prewarm) return;
    void this.tick();
    this.timer = setInterval(() => void this.tick(), everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** For the class page: null without a schedule; before the window the target is 0. */
  status(classId: string): { target: number; ready: number } | null {
    const cls = this.classes.get(classId);
    if (!cls || cls.startsAt === null || cls.openPractice) return null;
    const target = this.targets.get(classId) ?? 0;
    const ready = Math.min(target, this.backend.poolStats?.().ready ?? 0);
    return { target, ready };
  }

  /** Works out what each class in its window needs and sets the pool's extra target to the sum. */
  async tick(now = Date.now()): Promise<void> {
    if (this.busy || !this.backend.prewarm) return;
    this.busy = true;
    try {
      const targets = new Map<string, number>();
      const lead = this.config.classroom.prewarmLeadMinutes * 60_000;
      for (const row of this.rows.classRows()) {
        if (row.archived || row.openPractice || row.startsAt === null) continue;
        if (now < row.startsAt - lead || now > row.startsAt + GRACE_MS) continue;
        targets.set(row.id, this.needed(row.id));
      }
      let total = 0;
      for (const [id, n] of targets) {
        const granted = Math.min(n, Math.max(0, this.config.classroom.prewarmMax - total));
        targets.set(id, granted);
        total += granted;
      }
      this.targets = targets;
      if (total !== this.extra) {
        this.extra = total;
        log.info({ machines: total, classes: targets.size }, `scheduled pre-warm: ${total} extra warm machine(s)`);
        await this.backend.prewarm(total);
      }
    } catch (err) {
      log.error({ err }, 'scheduled pre-warm failed');
    } finally {
      this.busy = false;
    }
  }

  /** Warm machines the class's first lab still needs: seats without a running lab × its Docker machines. */
  private needed(classId: string): number {
    const cls = this.classes.get(classId);
    const lab = cls?.labs[0] ? this.catalog.get(cls.labs[0]) : undefined;
    if (!cls || !lab) return 0;
    // The pool holds Docker-in-Docker machines only; a shell lab gains nothing from it.
    const perSeat = lab.machines.filter((m) => m.docker && (m.image === 'dind' || m.image === '')).length;
    const started = this.rows.studentsOf(classId).filter((s) => this.store.studentSessions(s.id).length > 0).length;
    const seats = Math.min(cls.seats, cls.limits.maxRunning ?? Infinity, this.config.sessions.maxRunning);
    return Math.max(0, seats - started) * perSeat;
  }
}
