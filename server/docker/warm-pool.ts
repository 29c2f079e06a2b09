import crypto from 'node:crypto';
import { log } from '../log';
import { errorText, leftForReconcile } from './engine';
import type { WaitingShell } from './shell';

export interface PooledMachine {
  containerId: string;
  volume: string;
  hostname: string;
  /**
   * The machine's own bridge, made with it. A lab of one machine takes it as
   * its session network, so adoption does no network work at all; a lab of
   * several moves the machine to a shared session network and drops it.
   */
  network: string;
  /** Its main shell, opened while it waits (absent only until then). */
  shell?: WaitingShell;
}

/**
 * How long filling waits after the last student's start ended. A class pressing
 * Start together is many starts in a row with short gaps; a machine started in
 * one of those gaps takes over a second of CPU on a small host, from the
 * students still waiting for their prompts.
 */
export const POOL_SETTLE_MS = 1500;

/**
 * Keeps `target` started lab machines waiting so a student's first prompt
 * does not wait for a container and its inner dockerd. Filling is serial and
 * in the background: it must never compete with a student's own start, so it
 * waits while any is under way (`startBegan` / `startEnded`) and `settleMs`
 * after the last one.
 */
export class WarmPool {
  private ready: PooledMachine[] = [];
  private filling: Promise<void> | null = null;
  private stopped = false;
  private failures = 0;
  /** Machines wanted on top of `target` for a while (scheduled pre-warm of a class). */
  private extra = 0;
  /** Students' starts (and resumes) under way, and when the last one ended. */
  private starting = 0;
  private lastStartEnded = 0;
  /** Wakes a fill waiting for the starts to settle (stopFilling). */
  private wake: (() => void) | null = null;

  constructor(
    private readonly target: number,
    private readonly create: (suffix: string) => Promise<PooledMachine>,
    private readonly destroy: (m: PooledMachine) => Promise<void>,
    private readonly settleMs = POOL_SETTLE_MS,
  ) {}

  startBegan(): void {
    this.starting++;
  }

  startEnded(): void {
    this.starting = Math.max(0, this.starting - 1);
    this.lastStartEnded = Date.now();
  }

  /** Resolves once no start has been under way for `settleMs` (or filling stopped). */
  private async settled(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const wait = this.starting > 0 ? this.settleMs : this.lastStartEnded + this.settleMs - Date.now();
      if (wait <= 0) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  size(): number {
    return this.ready.length;
  }

  targetSize(): number {
    return this.target + this.extra;
  }

  /** Raises (or, with 0, ends) the extra target; machines beyond the new target are removed. */
  async setExtra(extra: number): Promise<void> {
    this.extra = Math.max(0, Math.floor(extra));
    const excess = this.ready.splice(this.targetSize());
    await Promise.all(excess.map((m) => this.destroy(m).catch(leftForReconcile(`removing pool machine ${m.containerId}`))));
    void this.refill();
  }

  ids(): string[] {
    return this.ready.map((m) => m.containerId);
  }

  add(m: PooledMachine): void {
    this.ready.push(m);
  }

  take(): PooledMachine | undefined {
    const m = this.ready.shift();
    return m;
  }

  refill(): Promise<void> {
    if (this.filling || this.stopped || this.targetSize() === 0) return this.filling ?? Promise.resolve();
    this.filling = (async () => {
      while (!this.stopped && this.ready.length < this.targetSize() && this.failures < 3) {
        await this.settled();
        if (this.stopped) break;
        try {
          const m = await this.create(crypto.randomBytes(4).toString('hex'));
          if (this.stopped) await this.destroy(m);
          else this.ready.push(m);
          this.failures = 0;
        } catch (err) {
          // Repeated failures (engine trouble, disk full) stop the loop; the next start retries.
          log.warn({ err: errorText(err), failures: this.failures + 1 }, 'warm pool: a machine could not be started');
          this.failures++;
        }
      }
      if (this.failures >= 3) this.failures = 0;
    })().finally(() => {
      this.filling = null;
    });
    return this.filling;
  }

  /** Hands back every waiting machine and keeps none (for `berth down` of a serving backend). */
  drain(): PooledMachine[] {
    return this.ready.splice(0);
  }

  async stopFilling(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.filling;
  }
}
