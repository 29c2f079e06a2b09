import { Writable } from 'node:stream';
import { createLogger, inTestProcess, levelFor } from '../../../server/log';
import { loadConfig } from '../../../server/config';

function capture(): { stream: Writable; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return {
    stream,
    lines: () => chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

test('jest workers are silent unless BERTH_TEST_VERBOSE', () => {
  expect(inTestProcess({ JEST_WORKER_ID: '1' })).toBe(true);
  expect(inTestProcess({ NODE_ENV: 'test' })).toBe(true);
  expect(inTestProcess({ JEST_WORKER_ID: '1', BERTH_TEST_VERBOSE: '1' })).toBe(false);
  expect(levelFor({ JEST_WORKER_ID: '1' })).toBe('silent');
  expect(levelFor({ BERTH_LOG_LEVEL: 'debug' })).toBe('debug');
  expect(levelFor({})).toBe('info');
});

test('lines are JSON with the level, message and the child id', () => {
  const out = capture();
  const log = createLogger({ env: { BERTH_LOG_LEVEL: 'info' }, destination: out.stream });
  log.child({ sessionId: 's-1' }).info('started');
  log.debug('not shown at info');
  log.child({ reqId: 'r-9' }).warn({ status: 500 }, 'failed');
  const lines = out.lines();
  expect(lines).toHaveLength(2);
  expect(lines[0]).toMatchObject({ level: 'info', msg: 'started', sessionId: 's-1' });
  expect(lines[1]).toMatchObject({ level: 'warn', msg: 'failed', reqId: 'r-9', status: 500 });
  expect(typeof lines[0].time).toBe('string');
});

test('the serving line keeps the shape scripts wait for', () => {
  const out = capture();
  createLogger({ env: {}, destination: out.stream }).info('serving 3 lab(s) on http://127.0.0.1:4321');
  const raw = JSON.stringify(out.lines()[0]);
  expect(/serving .* on http:\/\/[^:]+:(\d+)/.exec(raw)?.[1]).toBe('4321');
});

test('a bad BERTH_LOG_LEVEL is an error naming the variable', () => {
  expect(() => loadConfig({ BERTH_LOG_LEVEL: 'loud' })).toThrow(/BERTH_LOG_LEVEL/);
  expect(loadConfig({ BERTH_LOG_LEVEL: 'WARN' }).logLevel).toBe('warn');
});
