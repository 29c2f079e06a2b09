import { WarmPool, type PooledMachine } from '../../../server/docker/warm-pool';

/**
 * The pool fills only when no student's start is under way, and a while after
 * the last one: a machine started meanwhile takes CPU from students waiting for
 * their prompts (a class pressing Start together).
 */
const machine = (suffix: string): PooledMachine => ({ containerId: suffix, volume: `v-${suffix}`, hostname: `pool-${suffix}`, network: `n-${suffix}` });

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

test('filling waits while a start is under way and for the settle time after the last one ends', async () => {
  const created: string[] = [];
  const pool = new WarmPool(1, async (suffix) => (created.push(suffix), machine(suffix)), async () => undefined, 1000);
  pool.startBegan();
  pool.startBegan();
  const filled = pool.refill();
  await jest.advanceTimersByTimeAsync(5000);
  expect(created).toHaveLength(0);
  pool.startEnded();
  await jest.advanceTimersByTimeAsync(5000);
  expect(created).toHaveLength(0); // the other start is still under way
  pool.startEnded();
  await jest.advanceTimersByTimeAsync(999);
  expect(created).toHaveLength(0);
  await jest.advanceTimersByTimeAsync(1);
  await filled;
  expect(created).toHaveLength(1);
  expect(pool.size()).toBe(1);
});

test('with no start in a while, filling begins at once', async () => {
  const created: string[] = [];
  const pool = new WarmPool(2, async (suffix) => (created.push(suffix), machine(suffix)), async () => undefined, 1000);
  await pool.refill();
  expect(created).toHaveLength(2);
});

test('stopping wakes a fill that waits for starts to settle, and it creates nothing', async () => {
  const created: string[] = [];
  const pool = new WarmPool(1, async (suffix) => (created.push(suffix), machine(suffix)), async () => undefined, 60_000);
  pool.startBegan();
  void pool.refill();
  await jest.advanceTimersByTimeAsync(10);
  let stopped = false;
  const stopping = pool.stopFilling().then(() => (stopped = true));
  await jest.advanceTimersByTimeAsync(0);
  await stopping;
  expect(stopped).toBe(true);
  expect(created).toHaveLength(0);
});
