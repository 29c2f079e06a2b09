import { AckBatcher } from '../../../client/src/logic/ack-batcher';

function fakeTimers() {
  let next = 1;
  const timers = new Map<number, () => void>();
  return {
    setTimer: (fn: () => void) => {
      const id = next++;
      timers.set(id, fn);
      return id;
    },
    clearTimer: (h: unknown) => void timers.delete(h as number),
    fire() {
      const fns = [...timers.values()];
      timers.clear();
      fns.forEach((f) => f());
    },
    get pending() {
      return timers.size;
    },
  };
}

describe('AckBatcher', () => {
  test('small writes are batched into one ack after the delay', () => {
    const sent: number[] = [];
    const t = fakeTimers();
    const a = new AckBatcher({ send: (n) => sent.push(n), threshold: 1000, setTimer: t.setTimer, clearTimer: t.clearTimer });
    a.written(100);
    a.written(200);
    a.written(50);
    expect(sent).toEqual([]);
    expect(t.pending).toBe(1);
    t.fire();
    expect(sent).toEqual([350]);
    expect(a.unacked).toBe(0);
  });

  test('reaching the threshold acks at once', () => {
    const sent: number[] = [];
    const t = fakeTimers();
    const a = new AckBatcher({ send: (n) => sent.push(n), threshold: 32 * 1024, setTimer: t.setTimer, clearTimer: t.clearTimer });
    for (let i = 0; i < 40; i++) a.written(1024);
    expect(sent).toEqual([32 * 1024]);
    t.fire();
    expect(sent).toEqual([32 * 1024, 8 * 1024]);
  });

  test('a flood of 10 MB costs few acks and the total is exact', () => {
    const sent: number[] = [];
    const t = fakeTimers();
    const a = new AckBatcher({ send: (n) => sent.push(n), setTimer: t.setTimer, clearTimer: t.clearTimer });
    let total = 0;
    for (let i = 0; i < 10 * 1024; i++) {
      a.written(1024);
      total += 1024;
    }
    t.fire();
    expect(sent.reduce((x, y) => x + y, 0)).toBe(total);
    expect(sent.length).toBeLessThanOrEqual(321);
  });

  test('callbacks from before a re-attach are ignored', () => {
    const sent: number[] = [];
    const t = fakeTimers();
    const a = new AckBatcher({ send: (n) => sent.push(n), threshold: 1000, setTimer: t.setTimer, clearTimer: t.clearTimer });
    const old = a.generation;
    a.written(500, old);
    a.newGeneration();
    expect(t.pending).toBe(0);
    a.written(300, old); // late write callback of the old attachment
    a.written(200);
    t.fire();
    expect(sent).toEqual([200]);
  });

  test('flush sends pending bytes immediately; nothing pending sends nothing', () => {
    const sent: number[] = [];
    const a = new AckBatcher({ send: (n) => sent.push(n), setTimer: () => 1, clearTimer: () => undefined });
    a.flush();
    a.written(10);
    a.flush();
    expect(sent).toEqual([10]);
  });

  test('dispose stops acking', () => {
    const sent: number[] = [];
    const t = fakeTimers();
    const a = new AckBatcher({ send: (n) => sent.push(n), setTimer: t.setTimer, clearTimer: t.clearTimer });
    a.written(10);
    a.dispose();
    t.fire();
    a.written(10, 0);
    expect(sent).toEqual([]);
  });

  test('uses real timers by default', async () => {
    const sent: number[] = [];
    const a = new AckBatcher({ send: (n) => sent.push(n), delayMs: 5 });
    a.written(7);
    await new Promise((r) => setTimeout(r, 30));
    expect(sent).toEqual([7]);
  });
});
