/**
 * The pure decisions behind the hardening, each on its own: port addresses
 * with and without a key, which response headers a student's app loses,
 * how feedback is capped, and when the disk budget warns and pauses.
 */
import { capFeedback, FEEDBACK_MAX_CHARS } from '../../server/checks/feedback';
import { DiskWatchdog, type DiskVerdict } from '../../server/sessions/disk-watchdog';
import { parseProxyPath, proxyKey, PROXY_CSP, sanitizeResponseHeaders } from '../../server/http/port-proxy';

test('port addresses: the key is optional, exact in shape, and differs per session and secret', () => {
  const key = proxyKey('secret-one-secret-one', 'abcdefghij12');
  expect(key).toMatch(/^[A-Za-z0-9_-]{22}$/);
  expect(parseProxyPath(`/s/abcdefghij12-${key}/web/8080/a?x=1`)).toEqual({ sessionId: 'abcdefghij12', key, machine: 'web', port: 8080, path: '/a?x=1' });
  expect(parseProxyPath('/s/abcdefghij12/web/8080/')).toEqual({ sessionId: 'abcdefghij12', machine: 'web', port: 8080, path: '/' });
  expect(parseProxyPath(`/s/abcdefghij12-${key}x/web/8080/`)).toBeNull();
  expect(proxyKey('secret-one-secret-one', 'abcdefghij13')).not.toBe(key);
  expect(proxyKey('secret-two-secret-two', 'abcdefghij12')).not.toBe(key);
});

test("a student's app loses cookie, service-worker, HSTS and site-clearing headers, keeps its own CSP, gains the sandbox", () => {
  const headers: Record<string, string | string[] | undefined> = {
    'set-cookie': ['a=1', 'b=2'],
    'service-worker-allowed': '/',
    'clear-site-data': '"*"',
    'strict-transport-security': 'max-age=9999999',
    'content-security-policy': "default-src 'self'",
    'content-type': 'text/html',
  };
  sanitizeResponseHeaders(headers);
  expect(headers['set-cookie']).toBeUndefined();
  expect(headers['service-worker-allowed']).toBeUndefined();
  expect(headers['clear-site-data']).toBeUndefined();
  expect(headers['strict-transport-security']).toBeUndefined();
  expect(headers['content-security-policy']).toEqual(["default-src 'self'", PROXY_CSP]);
  expect(headers['content-type']).toBe('text/html');
  expect(PROXY_CSP).not.toMatch(/allow-same-origin|allow-popups-to-escape-sandbox|allow-top-navigation/);
});

test('feedback is capped and stripped of control characters', () => {
  expect(capFeedback('x'.repeat(10_000))).toHaveLength(FEEDBACK_MAX_CHARS);
  expect(capFeedback('a\u001b[31mred\u0007')).toBe('a[31mred');
  expect(capFeedback('short')).toBe('short');
});

test('the disk budget: per machine, warned once, paused past it, warned again after it recovers', async () => {
  let used = [0, 0];
  const warned: DiskVerdict[] = [];
  const paused: string[] = [];
  const dog = new DiskWatchdog({
    budgetBytesPerMachine: 100,
    intervalSeconds: 0,
    running: () => [
      { sessionId: 'one', studentId: 's1', machines: 1, state: { backend: 'x' } },
      { sessionId: 'two', studentId: 's2', machines: 3, state: { backend: 'x' } },
    ],
    measure: async () => used,
    warn: (v) => void warned.push(v),
    pause: async (v) => void paused.push(v.sessionId),
  });
  used = [85, 200];
  expect((await dog.sweep()).map((v) => v.action)).toEqual(['warn', 'ok']); // two has 3 machines: 300 budget
  await dog.sweep();
  expect(warned.map((v) => v.sessionId)).toEqual(['one']);
  used = [101, 301];
  expect((await dog.sweep()).map((v) => v.action)).toEqual(['pause', 'pause']);
  expect(paused).toEqual(['one', 'two']);
  used = [10, 10];
  await dog.sweep();
  used = [90, 10];
  await dog.sweep();
  expect(warned.filter((v) => v.action === 'warn').map((v) => v.sessionId)).toEqual(['one', 'one']);
  const off = new DiskWatchdog({ budgetBytesPerMachine: 0, intervalSeconds: 0, running: () => [], measure: async () => [], warn: () => undefined, pause: async () => undefined });
  expect(await off.sweep()).toEqual([]);
});
