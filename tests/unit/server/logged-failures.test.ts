/**
 * Failures Berth goes on after are logged, not swallowed: the warm pool's
 * failed fills, the disk watchdog's failed measurements, best-effort
 * removals (left for reconcile) and broken labs at load. The logger is read
 * through a spy.
 */
import path from 'node:path';
import { leftForReconcile } from '../../../server/docker/engine';
import { WarmPool } from '../../../server/docker/warm-pool';
import { LabCatalog } from '../../../server/labs/catalog';
import { log } from '../../../server/log';
import { DiskWatchdog } from '../../../server/sessions/disk-watchdog';

let warned: Array<[unknown, unknown]>;
let spy: jest.SpyInstance;

beforeEach(() => {
  warned = [];
  spy = jest.spyOn(log, 'warn').mockImplementation(((fields: unknown, msg: unknown) => void warned.push([fields, msg])) as typeof log.warn);
});
afterEach(() => spy.mockRestore());

test('a warm pool machine that cannot be started is logged with why, once per try', async () => {
  const pool = new WarmPool(1, () => Promise.reject(new Error('no space left on device')), async () => undefined);
  await pool.refill();
  expect(warned).toEqual([1, 2, 3].map((failures) => [{ err: 'no space left on device', failures }, 'warm pool: a machine could not be started']));
});

test('a disk measurement that fails is logged, and the next interval measures again', async () => {
  jest.useFakeTimers();
  try {
    let calls = 0;
    const dog = new DiskWatchdog({
      budgetBytesPerMachine: 1,
      intervalSeconds: 1,
      running: () => [],
      measure: () => (++calls, Promise.reject(new Error('engine busy'))),
      warn: () => undefined,
      pause: async () => undefined,
    });
    dog.start();
    await jest.advanceTimersByTimeAsync(2000);
    dog.stop();
    expect(calls).toBe(2);
    expect(warned).toEqual([
      [{ err: 'engine busy' }, 'disk watchdog: measuring failed'],
      [{ err: 'engine busy' }, 'disk watchdog: measuring failed'],
    ]);
  } finally {
    jest.useRealTimers();
  }
});

test('a best-effort removal that fails says what was left and who removes it', () => {
  leftForReconcile('removing network berth-x')(Object.assign(new Error('(HTTP code 500) server error'), { json: { message: 'network has active endpoints' } }));
  expect(warned).toEqual([[{ err: 'network has active endpoints' }, 'removing network berth-x failed; the next reconcile removes what is left by its labels']]);
});

test('a broken lab at load is a structured log line (file, line, hint), not console output', () => {
  const consoleWarn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  try {
    const catalog = new LabCatalog(path.join(__dirname, '../../fixtures/labs-broken'));
    catalog.close();
    expect(consoleWarn).not.toHaveBeenCalled();
    const line = warned.find(([, msg]) => String(msg).includes('unknown machine "web"'));
    expect(line?.[0]).toMatchObject({ file: expect.stringMatching(/unknown-machine\/lab\.md$/), line: 15, severity: 'error', hint: expect.stringContaining('machines') });
    expect(line?.[1]).toMatch(/^lab error: .*unknown-machine\/lab\.md:15: unknown machine "web"/);
  } finally {
    consoleWarn.mockRestore();
  }
});
