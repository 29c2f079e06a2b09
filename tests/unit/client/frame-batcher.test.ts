import { FrameBatcher } from '../../../client/src/logic/frame-batcher';

function fakeFrames() {
  const queue = new Map<number, () => void>();
  let next = 1;
  return {
    scheduler: {
      request: (fn: () => void) => {
        queue.set(next, fn);
        return next++;
      },
      cancel: (h: number) => void queue.delete(h),
    },
    /** Runs one animation frame. */
    frame() {
      const fns = [...queue.values()];
      queue.clear();
      for (const fn of fns) fn();
    },
    get scheduled() {
      return queue.size;
    },
  };
}

test('a burst of items is handed over once, in the next frame, in order', () => {
  const frames = fakeFrames();
  const flushes: number[][] = [];
  const b = new FrameBatcher<number>((xs) => flushes.push(xs), frames.scheduler);
  for (let i = 0; i < 100; i++) b.push(i);
  expect(frames.scheduled).toBe(1);
  expect(flushes).toEqual([]);
  frames.frame();
  expect(flushes).toHaveLength(1);
  expect(flushes[0]).toEqual(Array.from({ length: 100 }, (_, i) => i));
  expect(b.pending).toBe(0);
});

test('items after a flush wait for the following frame', () => {
  const frames = fakeFrames();
  const flushes: string[][] = [];
  const b = new FrameBatcher<string>((xs) => flushes.push(xs), frames.scheduler);
  b.push('a');
  frames.frame();
  b.push('b');
  b.push('c');
  expect(frames.scheduled).toBe(1);
  frames.frame();
  expect(flushes).toEqual([['a'], ['b', 'c']]);
  frames.frame();
  expect(flushes).toHaveLength(2); // an idle frame renders nothing
});

test('clear drops queued items; dispose cancels the frame', () => {
  const frames = fakeFrames();
  const flushes: number[][] = [];
  const b = new FrameBatcher<number>((xs) => flushes.push(xs), frames.scheduler);
  b.push(1);
  b.clear();
  frames.frame();
  expect(flushes).toEqual([]);
  b.push(2);
  b.dispose();
  expect(frames.scheduled).toBe(0);
  frames.frame();
  expect(flushes).toEqual([]);
});
