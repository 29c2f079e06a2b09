import os from 'node:os';
import type { LabBackend } from '../backend/lab-backend';
import type { BerthConfig } from '../config';
import type { EventBus } from '../events';
import type { LabCatalog } from '../labs/catalog';
import { log } from '../log';
import type { ClassroomStore } from '../store/classroom-store';
import type { Store } from '../store/database';
import type { ClassService } from './classes';

/** After the start time, keep filling this long: latecomers still get warm machines. */
const GRACE_MS = 15 * 60_000;

/**
 * Host memory reserved per waiting machine when the cap is derived: a started Docker-in-Docker machine that
 * nobody uses yet holds well under this (its dockerd), and the students' work later runs under BERTH_MACHINE_MEMORY.
 */
export const WARM_MACHINE_BYTES = 512 * 1024 * 1024;

/**
 * The most extra warm machines when BERTH_PREWARM_MAX is unset: one per WARM_MACHINE_BYTES of the host's
 * memory, and never more than Berth will run at once (BERTH_MAX_SESSIONS labs, each with at most
 * `machinesPerLab` pooled machines). A 30-seat class on a 16 GB host gets its 30.
 */
export function defaultPrewarmCap(config: BerthConfig, machinesPerLab: number, totalMemoryBytes = os.totalmem()): number {
  return Math.max(0, Math.min(config.sessions.maxRunning * Math.max(1, machinesPerLab), Math.floor(totalMemoryBytes / WARM_MACHINE_BYTES)));
}

/**
 * Scheduled pre-warm: shortly before a class starts, ask the backend's warm
 * pool for enough machines for the seats of its first lab, so thirty
 * students pressing Start at nine get prompts at warm-pool speed. Bounded by
 * BERTH_PREWARM_MAX (all classes together; by default derived from the host,
 * defaultPrewarmCap) and BERTH_MAX_SESSIONS; the extra machines are given
 * back once the start is over.
 */
export class PrewarmScheduler {
  private timer: NodeJS.Timeout | null = null;
  private targets = new Map<string, number>();
  private extra = 0;
  private busy = false;
  /** A tick was asked for while one ran: run again once it ends, so no start goes uncounted. */
  private again = false;

  constructor(
    private readonly config: BerthConfig,
    private readonly store: Store,
    private readonly rows: ClassroomStore,
    private readonly classes: ClassService,
    private readonly catalog: LabCatalog,
    private readonly backend: LabBackend,
    private readonly hostMemoryBytes = os.totalmem(),
  ) {}

  start(everyMs = 30_000): void {
    if (!this.backend.prewarm) return;
    void this.tick();
    this.timer = setInterval(() => void this.tick(), everyMs);
    this.timer.unref();
  }

  /**
   * Each start in a class makes it need one machine fewer, at once: otherwise the pool would make
   * again what the class just took (its target still counts those seats) until the next tick, up to
   * 30 s of machines made and removed while the class begins to work.
   */
  followStarts(bus: EventBus): void {
    bus.on('status', ({ state }) => {
      // On the next turn: the start claims its waiting machines in this one, so the lower target then
      // counts only machines nobody has taken, and none is removed from under a student.
      if (state === 'queued' || state === 'starting') setImmediate(() => void this.tick());
    });
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /**
   * For the class page: null without a schedule; before the window the target is 0. `ready` counts only
   * machines warmed for classes (not BERTH_WARM_POOL's own), shared out in the order targets were granted,
   * so two classes in their windows at once never count the same machine.
   */
  status(classId: string): { target: number; ready: number } | null {
    const cls = this.classes.get(classId);
    if (!cls || cls.startsAt === null || cls.openPractice) return null;
    const target = this.targets.get(classId) ?? 0;
    const pool = this.backend.poolStats?.();
    // The pool's own target is BERTH_WARM_POOL plus what was asked for here; what is ready above the former is ours.
    let left = pool ? Math.min(this.extra, Math.max(0, pool.ready - (pool.target - this.extra))) : 0;
    for (const [id, wanted] of this.targets) {
      const share = Math.min(wanted, left);
      if (id === classId) return { target, ready: share };
      left -= share;
    }
    return { target, ready: 0 };
  }

  /** Works out what each class in its window needs and sets the pool's extra target to the sum. */
  async tick(now = Date.now()): Promise<void> {
    if (!this.backend.prewarm) return;
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    try {
      const targets = new Map<string, number>();
      const lead = this.config.classroom.prewarmLeadMinutes * 60_000;
      for (const row of this.rows.classRows()) {
        if (row.archived || row.openPractice || row.startsAt === null) continue;
        if (now < row.startsAt - lead || now > row.startsAt + GRACE_MS) continue;
        targets.set(row.id, this.needed(row.id));
      }
      const cap = this.cap();
      let total = 0;
      for (const [id, n] of targets) {
        const granted = Math.min(n, Math.max(0, cap - total));
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
    if (this.again) {
      this.again = false;
      await this.tick();
    }
  }

  /** BERTH_PREWARM_MAX, or the host-derived default. */
  private cap(): number {
    if (this.config.classroom.prewarmMax !== null) return this.config.classroom.prewarmMax;
    const perLab = Math.max(1, ...this.catalog.all().map((lab) => pooledMachines(lab.machines)));
    return defaultPrewarmCap(this.config, perLab, this.hostMemoryBytes);
  }

  /** Warm machines the class's first lab still needs: seats without a running lab × its Docker machines. */
  private needed(classId: string): number {
    const cls = this.classes.get(classId);
    const lab = cls?.labs[0] ? this.catalog.get(cls.labs[0]) : undefined;
    if (!cls || !lab) return 0;
    const perSeat = pooledMachines(lab.machines);
    // One query: this runs on every start of a class (followStarts), thirty times in a second.
    const started = this.store.countStudentsWithLiveSessions(classId);
    const seats = Math.min(cls.seats, cls.limits.maxRunning ?? Infinity, this.config.sessions.maxRunning);
    return Math.max(0, seats - started) * perSeat;
  }
}

/** The pool holds Docker-in-Docker machines only; a shell lab gains nothing from it. */
function pooledMachines(machines: Array<{ docker: boolean; image: string }>): number {
  return machines.filter((m) => m.docker && (m.image === 'dind' || m.image === '')).length;
}
