/**
 * When to send a class its grid patch. The first change after a quiet spell
 * goes out at once (the instructor sees a pass without waiting); changes
 * during the following `intervalMs` are gathered into one patch, so a class
 * of 60 busy students costs the instructor's browser a few renders a second.
 */

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** Milliseconds to wait before the next flush of a class last flushed at `lastFlushAt`. */
export function flushDelay(lastFlushAt: number | undefined, now: number, intervalMs: number): number {
  if (lastFlushAt === undefined) return 0;
  return Math.max(0, lastFlushAt + intervalMs - now);
}

export class PatchBatcher {
  private readonly dirty = new Map<string, Set<string>>();
  private readonly timers = new Map<string, unknown>();
  private readonly lastFlush = new Map<string, number>();

  constructor(
    private readonly intervalMs: number,
    private readonly flush: (classId: string, studentIds: string[]) => void,
    private readonly clock: Clock = realClock,
  ) {}

  /** A student's row in this class changed. */
  mark(classId: string, studentId: string): void {
    let set = this.dirty.get(classId);
    if (!set) this.dirty.set(classId, (set = new Set()));
    set.add(studentId);
    if (this.timers.has(classId)) return;
    const delay = flushDelay(this.lastFlush.get(classId), this.clock.now(), this.intervalMs);
    this.timers.set(
      classId,
      this.clock.setTimeout(() => this.fire(classId), delay),
    );
  }

  private fire(classId: string): void {
    this.timers.delete(classId);
    const set = this.dirty.get(classId);
    this.dirty.delete(classId);
    if (!set || set.size === 0) return;
    this.lastFlush.set(classId, this.clock.now());
    this.flush(classId, [...set]);
  }

  /** Nobody watches the class any more: forget what was pending. */
  forget(classId: string): void {
    const t = this.timers.get(classId);
    if (t !== undefined) this.clock.clearTimeout(t);
    this.timers.delete(classId);
    this.dirty.delete(classId);
    this.lastFlush.delete(classId);
  }

  pending(classId: string): number {
    return this.dirty.get(classId)?.size ?? 0;
  }

  close(): void {
    for (const id of [...this.timers.keys()]) this.forget(id);
  }
}
