/**
 * Flow-control acknowledgements. xterm's `write(data, cb)` calls back once the
 * bytes are parsed; we add them up and tell the server in batches (every
 * `threshold` bytes, or after `delayMs` of quiet) so a flood of output costs a
 * handful of acks rather than one per chunk. The server pauses the shell above
 * its high watermark of unacknowledged bytes.
 *
 * Each attachment is a generation: callbacks for bytes written under an older
 * attachment (before a reconnect) are ignored, because the server counts
 * unacknowledged bytes per attachment.
 */
export interface AckBatcherOptions {
  send: (bytes: number) => void;
  threshold?: number;
  delayMs?: number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export class AckBatcher {
  private pending = 0;
  private timer: unknown = null;
  private gen = 0;
  private readonly threshold: number;
  private readonly delayMs: number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;

  constructor(private readonly opts: AckBatcherOptions) {
    this.threshold = opts.threshold ?? 32 * 1024;
    this.delayMs = opts.delayMs ?? 30;
    this.setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = opts.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  }

  /** Current attachment generation; pass it to `written` from the write callback. */
  get generation(): number {
    return this.gen;
  }

  /** Bytes still waiting to be acknowledged. */
  get unacked(): number {
    return this.pending;
  }

  /** A new attachment: drop what was pending for the old one. */
  newGeneration(): number {
    this.cancelTimer();
    this.pending = 0;
    this.gen += 1;
    return this.gen;
  }

  /** xterm finished `bytes` bytes written under attachment `generation`. */
  written(bytes: number, generation: number = this.gen): void {
    if (generation !== this.gen || bytes <= 0) return;
    this.pending += bytes;
    if (this.pending >= this.threshold) {
      this.flush();
    } else if (this.timer === null) {
      this.timer = this.setTimer(() => {
        this.timer = null;
        this.flush();
      }, this.delayMs);
    }
  }

  /** Send whatever is pending now. */
  flush(): void {
    this.cancelTimer();
    if (this.pending <= 0) return;
    const n = this.pending;
    this.pending = 0;
    this.opts.send(n);
  }

  dispose(): void {
    this.cancelTimer();
    this.pending = 0;
    this.gen += 1;
  }

  private cancelTimer(): void {
    if (this.timer !== null) {
      this.clearTimer(this.timer);
      this.timer = null;
    }
  }
}
