import { flushDelay, PatchBatcher, type Clock } from '../../../server/live/patch-batcher';

/** A clock that only moves when the test says so: no real waiting, no timing in assertions. */
class ManualClock implements Clock {
  t = 0;
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private next = 1;
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((x) => x.id !== handle);
  }
  advance(ms: number): void {
    const until = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const due = this.timers[0];
      if (!due || due.at > until) break;
      this.timers.shift();
      this.t = due.at;
      due.fn();
    }
    this.t = until;
  }
  get scheduled(): number {
    return this.timers.length;
  }
}

test('flush delay: at once after quiet, else the rest of the interval', () => {
  expect(flushDelay(undefined, 1_000, 250)).toBe(0);
  expect(flushDelay(1_000, 1_100, 250)).toBe(150);
  expect(flushDelay(1_000, 1_250, 250)).toBe(0);
  expect(flushDelay(1_000, 5_000, 250)).toBe(0);
});

test('the first change goes out at once; a burst after it becomes one patch per interval', () => {
  const clock = new ManualClock();
  const flushed: Array<{ at: number; classId: string; ids: string[] }> = [];
  const b = new PatchBatcher(250, (classId, ids) => flushed.push({ at: clock.now(), classId, ids: ids.sort() }), clock);
  b.mark('c1', 'ada');
  clock.advance(0);
  expect(flushed).toEqual([{ at: 0, classId: 'c1', ids: ['ada'] }]);
  for (let i = 0; i < 100; i++) {
    clock.advance(2);
    b.mark('c1', i % 2 ? 'bob' : 'cy');
  }
  // 200 ms of changes since the flush at 0: the next one waits for 250.
  expect(flushed).toHaveLength(1);
  expect(b.pending('c1')).toBe(2);
  clock.advance(50);
  expect(flushed).toEqual([
    { at: 0, classId: 'c1', ids: ['ada'] },
    { at: 250, classId: 'c1', ids: ['bob', 'cy'] },
  ]);
  expect(clock.scheduled).toBe(0);
});

test('classes are batched apart; forget drops pending work', () => {
  const clock = new ManualClock();
  const flushed: string[] = [];
  const b = new PatchBatcher(250, (classId, ids) => flushed.push(`${classId}:${ids.join(',')}`), clock);
  b.mark('c1', 'a');
  b.mark('c2', 'b');
  b.mark('c1', 'a');
  clock.advance(0);
  expect(flushed.sort()).toEqual(['c1:a', 'c2:b']);
  b.mark('c1', 'x');
  b.forget('c1');
  clock.advance(1_000);
  expect(flushed).toHaveLength(2);
  expect(clock.scheduled).toBe(0);
});
