/**
 * Collects items arriving at any rate and hands them over at most once per
 * animation frame, so a burst of `class:rows` patches costs one render. The
 * scheduler is injectable for tests (the browser passes requestAnimationFrame).
 */
export interface FrameScheduler {
  request(fn: () => void): number;
  cancel(handle: number): void;
}

export class FrameBatcher<T> {
  private queue: T[] = [];
  private handle = 0;
  private scheduled = false;

  constructor(
    private readonly flush: (items: T[]) => void,
    private readonly scheduler: FrameScheduler = {
      request: (fn) => requestAnimationFrame(fn),
      cancel: (h) => cancelAnimationFrame(h),
    },
  ) {}

  push(item: T): void {
    this.queue.push(item);
    if (this.scheduled) return;
    this.scheduled = true;
    this.handle = this.scheduler.request(() => this.run());
  }

  /** Items waiting for the next frame. */
  get pending(): number {
    return this.queue.length;
  }

  /** Drops what is queued (a fresh snapshot replaces it). */
  clear(): void {
    this.queue = [];
  }

  dispose(): void {
    if (this.scheduled) this.scheduler.cancel(this.handle);
    this.scheduled = false;
    this.queue = [];
  }

  private run(): void {
    this.scheduled = false;
    if (this.queue.length === 0) return;
    const items = this.queue;
    this.queue = [];
    this.flush(items);
  }
}
