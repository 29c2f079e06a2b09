/**
 * Whether the engine answers, as BerthMetrics knows it: by a probe on a timer,
 * and at once when the backend's watch on the engine says it went away (a
 * restart shorter than the probe's period is seen too). Fake sources, real
 * timers; the real engine's stop and start are tests/reliability/engine-restart.
 */
import { EventBus } from '../../../server/events';
import { BerthMetrics, type MetricsSources } from '../../../server/metrics';

const HOUR = 3_600_000;

function sources(over: Partial<MetricsSources>): MetricsSources {
  return { bus: new EventBus(), liveStates: () => [], warmPoolSize: () => 0, pingEngine: () => Promise.resolve(), ...over };
}

async function until(what: string, ok: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!ok()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

let metrics: BerthMetrics | undefined;
afterEach(() => metrics?.stop());

test('an engine that goes away between two probes is called down at once, and back (with the listeners told) once it answers', async () => {
  let answering = true;
  const losers: Array<() => void> = [];
  let watches = 0;
  let unwatched = 0;
  metrics = new BerthMetrics(
    sources({
      pingEngine: () => (answering ? Promise.resolve() : Promise.reject(new Error('connect ENOENT'))),
      watchEngine: (onLost) => {
        watches++;
        losers.push(onLost);
        return Promise.resolve(() => unwatched++);
      },
    }),
  );
  let back = 0;
  metrics.onEngineBack(() => back++);
  metrics.start(HOUR, HOUR); // the probe's timer never fires in this test: only the watch can tell
  await until('the first watch', () => watches === 1);
  expect(metrics.engineAnswering).toBe(true);

  answering = false;
  losers[0]!();
  expect(metrics.engineAnswering).toBe(false);
  expect(back).toBe(0);
  await new Promise((resolve) => setTimeout(resolve, 1500)); // asked again every second: still down
  expect(metrics.engineAnswering).toBe(false);

  answering = true;
  await until('the engine answering again', () => metrics!.engineAnswering, 3000);
  expect(back).toBe(1);
  await until('a new watch', () => watches === 2);
  metrics.stop();
  expect(unwatched).toBe(1);
});

test('a restart over before anyone asks still counts: the labs it stopped are looked at', async () => {
  const losers: Array<() => void> = [];
  metrics = new BerthMetrics(sources({ watchEngine: (onLost) => (losers.push(onLost), Promise.resolve(() => undefined)) }));
  let back = 0;
  metrics.onEngineBack(() => back++);
  metrics.start(HOUR, HOUR);
  await until('the first watch', () => losers.length === 1);
  losers[0]!(); // the engine already answers again when it is next asked
  await until('the listeners told', () => back === 1, 3000);
  expect(metrics.engineAnswering).toBe(true);
});

test('without a watch, the probe finds a silent engine and its return', async () => {
  let answering = false;
  metrics = new BerthMetrics(sources({ pingEngine: () => (answering ? Promise.resolve() : Promise.reject(new Error('timeout'))) }));
  let back = 0;
  metrics.onEngineBack(() => back++);
  metrics.start(30, HOUR);
  await until('the probe to call it down', () => !metrics!.engineAnswering);
  answering = true;
  await until('the probe to call it back', () => metrics!.engineAnswering);
  expect(back).toBe(1);
});

test('a watch that cannot be set up (engine down at start) is set up again once the probe finds the engine', async () => {
  let answering = false;
  let watches = 0;
  metrics = new BerthMetrics(
    sources({
      pingEngine: () => (answering ? Promise.resolve() : Promise.reject(new Error('down'))),
      watchEngine: () => {
        watches++;
        return answering ? Promise.resolve(() => undefined) : Promise.reject(new Error('down'));
      },
    }),
  );
  metrics.start(30, HOUR);
  await until('the probe to call it down', () => !metrics!.engineAnswering);
  expect(watches).toBe(1);
  answering = true;
  await until('a watch once the engine answers', () => watches === 2);
});
