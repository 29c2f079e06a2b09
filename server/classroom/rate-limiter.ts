/**
 * Counts attempts per key (an address, an account) in a sliding window. In
 * memory on purpose: a restart forgets, which is fine for slowing guessing,
 * and nothing is written per attempt. Memory stays bounded however many keys
 * a stranger invents.
 */
export class RateLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    readonly max: number,
    readonly windowMs: number,
    private readonly maxKeys = 10_000,
  ) {}

  /** Whether `key` may try now (does not count the try). */
  allowed(key: string, now = Date.now()): boolean {
    return this.recent(key, now).length < this.max;
  }

  /** Counts one attempt; returns whether it was within the limit. */
  hit(key: string, now = Date.now()): boolean {
    const list = this.recent(key, now);
    if (list.length >= this.max) return false;
    list.push(now);
    this.hits.set(key, list);
    if (this.hits.size > this.maxKeys) this.prune(now);
    return true;
  }

  /** Milliseconds until `key` may try again (0 if it may now). */
  retryAfter(key: string, now = Date.now()): number {
    const list = this.recent(key, now);
    return list.length < this.max ? 0 : list[0] + this.windowMs - now;
  }

  reset(key: string): void {
    this.hits.delete(key);
  }

  private recent(key: string, now: number): number[] {
    const list = (this.hits.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (list.length) this.hits.set(key, list);
    else this.hits.delete(key);
    return list;
  }

  private prune(now: number): void {
    for (const key of [...this.hits.keys()]) this.recent(key, now);
    // Still too many live keys: drop the oldest (Map keeps insertion order).
    for (const key of this.hits.keys()) {
      if (this.hits.size <= this.maxKeys) break;
      this.hits.delete(key);
    }
  }
}
