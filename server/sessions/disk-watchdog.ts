import type { BackendState } from '../backend/lab-backend';
import { log } from '../log';

export interface DiskSession {
  sessionId: string;
  studentId: string;
  machines: number;
  state: BackendState;
}

export interface DiskVerdict {
  sessionId: string;
  studentId: string;
  usedBytes: number;
  budgetBytes: number;
  action: 'ok' | 'warn' | 'pause';
}

export interface DiskWatchdogOptions {
  /** Per machine; 0 turns the watchdog off. */
  budgetBytesPerMachine: number;
  intervalSeconds: number;
  /** Share of the budget at which the student is warned. */
  warnAt?: number;
  running(): DiskSession[];
  measure(states: BackendState[]): Promise<number[]>;
  warn(verdict: DiskVerdict): void;
  pause(verdict: DiskVerdict): Promise<void>;
}

/**
 * A disk budget for hosts without xfs project quotas (most of them): Docker
 * cannot cap a container's writable layer or a volume there, so a student
 * could fill the host disk and stop every lab in the room. Every few minutes
 * each running session is measured; past `warnAt` of its budget the student
 * is told, past the budget the lab is paused (machines stopped, disks kept)
 * and the student is told why. The budget holds to within one interval of
 * writing, which is the price of not needing quotas.
 */
export class DiskWatchdog {
  private timer: NodeJS.Timeout | null = null;
  private readonly warned = new Set<string>();
  private sweeping: Promise<DiskVerdict[]> | null = null;

  constructor(private readonly options: DiskWatchdogOptions) {}

  get enabled(): boolean {
    return this.options.budgetBytesPerMachine > 0;
  }

  start(): void {
    if (!this.enabled || this.options.intervalSeconds <= 0) return;
    this.timer = setInterval(
      // The next interval measures again; one that failed (the engine busy or away) is only logged.
      () => void this.sweep().catch((err: unknown) => log.warn({ err: err instanceof Error ? err.message : String(err) }, 'disk watchdog: measuring failed')),
      this.options.intervalSeconds * 1000,
    );
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One measurement of every running session; overlapping calls share it. */
  sweep(): Promise<DiskVerdict[]> {
    if (!this.enabled) return Promise.resolve([]);
    this.sweeping ??= this.measureAll().finally(() => (this.sweeping = null));
    return this.sweeping;
  }

  private async measureAll(): Promise<DiskVerdict[]> {
    const sessions = this.options.running();
    const used = await this.options.measure(sessions.map((s) => s.state));
    const warnAt = this.options.warnAt ?? 0.8;
    const verdicts: DiskVerdict[] = [];
    for (const [i, s] of sessions.entries()) {
      const budgetBytes = this.options.budgetBytesPerMachine * Math.max(1, s.machines);
      const usedBytes = used[i] ?? 0;
      const action = usedBytes > budgetBytes ? 'pause' : usedBytes > budgetBytes * warnAt ? 'warn' : 'ok';
      const verdict: DiskVerdict = { sessionId: s.sessionId, studentId: s.studentId, usedBytes, budgetBytes, action };
      verdicts.push(verdict);
      if (action === 'ok') this.warned.delete(s.sessionId);
      else if (action === 'warn' && !this.warned.has(s.sessionId)) {
        this.warned.add(s.sessionId);
        this.options.warn(verdict);
      } else if (action === 'pause') {
        this.warned.delete(s.sessionId);
        this.options.warn(verdict);
        await this.options.pause(verdict);
      }
    }
    return verdicts;
  }
}

export function formatGiB(bytes: number): string {
  const gib = bytes / 1024 ** 3;
  return gib >= 1 ? `${gib.toFixed(1)} GiB` : `${Math.round(bytes / 1024 ** 2)} MiB`;
}

/** The student's words for a verdict: sent with the warning and kept as the paused lab's detail. */
export function diskMessage(v: DiskVerdict): string {
  const used = `${formatGiB(v.usedBytes)} of the ${formatGiB(v.budgetBytes)} disk budget`;
  return v.action === 'pause'
    ? `Your lab was paused: its machines use ${used}. Your files are kept. Resume, then free space at once (docker system prune -a, delete big files), or it is paused again.`
    : `Your lab's machines use ${used}. Free some space (docker system prune -a, delete big files) before it fills: a full lab is paused.`;
}

/**
 * Builds the watchdog from what a running Berth has; null when the backend
 * cannot measure disk (the fake) or the budget is 0.
 */
export function createDiskWatchdog(deps: {
  budgetBytesPerMachine: number;
  intervalSeconds: number;
  measure: ((states: BackendState[]) => Promise<number[]>) | undefined;
  /** Running sessions whose stored state is readable (see stateOf in server/sessions/session-manager.ts). */
  running(): Array<{ id: string; studentId: string; state: BackendState }>;
  pause(sessionId: string, detail: string): Promise<unknown>;
  warn(event: { sessionId: string; studentId: string; usedBytes: number; budgetBytes: number; paused: boolean; message: string }): void;
}): DiskWatchdog | null {
  if (!deps.measure || deps.budgetBytesPerMachine <= 0) return null;
  const measure = deps.measure;
  return new DiskWatchdog({
    budgetBytesPerMachine: deps.budgetBytesPerMachine,
    intervalSeconds: deps.intervalSeconds,
    running: () =>
      deps.running().map((r) => ({
        sessionId: r.id,
        studentId: r.studentId,
        // Every backend's state lists its machines (lab-backend.ts, BackendState); one without a list counts none.
        machines: Array.isArray(r.state.machines) ? r.state.machines.length : 0,
        state: r.state,
      })),
    measure,
    warn: (v) => deps.warn({ sessionId: v.sessionId, studentId: v.studentId, usedBytes: v.usedBytes, budgetBytes: v.budgetBytes, paused: v.action === 'pause', message: diskMessage(v) }),
    pause: async (v) => {
      await deps.pause(v.sessionId, diskMessage(v));
    },
  });
}
