/**
 * BERTH_PROXY_ORIGIN: students' ports are served from a second listener, a
 * different origin from Berth's pages; Berth's own origin then serves none.
 */
import net from 'node:net';
import { proxyKey } from '../../server/http/port-proxy';
import { freePort, join, startBerth, startLab, type Berth } from '../contract/harness';

jest.setTimeout(120_000);

const SECRET = 'proxy-origin-test-secret-0123456789abcdef';
let berth: Berth;
let origin: string;
let sessionId: string;

beforeAll(async () => {
  origin = `http://127.0.0.1:${await freePort()}`;
  berth = await startBerth('sec-porigin', { BERTH_OPEN_JOIN: 'true', BERTH_SECRET: SECRET, BERTH_PROXY_ORIGIN: origin });
  const ada = await join(berth.url, 'Ada');
  sessionId = await startLab(berth, ada, 'shell-only');
  const state = berth.server.ctx.sessions.get(sessionId)!.backendState as never;
  const serve = `setsid nohup perl -MIO::Socket::INET -e '$s=IO::Socket::INET->new(LocalPort=>8080,Listen=>5,ReuseAddr=>1) or die; while($c=$s->accept){while(<$c>){last if $_ eq "\\r\\n"} print $c "HTTP/1.1 200 OK\\r\\nContent-Length: 15\\r\\nSet-Cookie: x=1\\r\\nConnection: close\\r\\n\\r\\nhello-from-port"; close $c}' >/dev/null 2>&1 </dev/null &
for i in $(seq 50); do curl -s localhost:8080/ | grep -q hello && exit 0; sleep 0.1; done; exit 1`;
  const out = await berth.server.ctx.backend.exec(state, 'box', serve, { timeoutMs: 20_000, outputCapBytes: 4096 });
  if (out.exitCode !== 0) throw new Error(`test server did not start: ${out.stderr}`);
});

afterAll(async () => {
  await berth?.dispose();
});

const portPath = () => `/s/${sessionId}-${proxyKey(SECRET, sessionId)}/box/8080/`;

test('the port is served from the proxy origin, sandboxed, without the app’s cookies', async () => {
  const res = await fetch(origin + portPath());
  expect(res.status).toBe(200);
  expect(await res.text()).toBe('hello-from-port');
  expect(res.headers.get('content-security-policy')).toMatch(/^sandbox /);
  expect(res.headers.get('set-cookie')).toBeNull();
});

test("Berth's own origin serves no ports, and the proxy origin serves nothing else", async () => {
  const here = await fetch(berth.url + portPath());
  expect(here.status).toBe(404);
  expect(await here.text()).toMatch(/own address/);
  const api = await fetch(`${origin}/api/health`);
  expect(api.status).toBe(404);
  await api.text();
  const forged = await fetch(`${origin}/s/${sessionId}-${'x'.repeat(22)}/box/8080/`);
  expect(forged.status).toBe(404);
  await forged.text();
});

test("Berth's pages may frame the proxy origin", async () => {
  const res = await fetch(`${berth.url}/api/health`);
  await res.text();
  expect(res.headers.get('content-security-policy')).toContain(`frame-src 'self' ${origin}`);
});

/** A raw request to the proxy origin with any Host; resolves with Berth's reply up to its close. */
function rawRequest(host: string, upgrade: boolean): Promise<string> {
  const { port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const s = net.connect(Number(port), '127.0.0.1', () => {
      const ws = upgrade ? 'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' : 'Connection: close\r\n';
      s.write(`GET ${portPath()}ws HTTP/1.1\r\nHost: ${host}\r\n${ws}\r\n`);
    });
    let text = '';
    s.on('data', (d) => (text += d.toString()));
    s.on('close', () => resolve(text));
    s.on('error', reject);
    setTimeout(() => {
      s.destroy();
      resolve(text);
    }, 5000).unref();
  });
}

test('a foreign Host is refused on the proxy origin, for HTTP and websocket upgrades alike (DNS rebinding)', async () => {
  expect(await rawRequest('evil.example', false)).toMatch(/^HTTP\/1\.1 421/);
  expect(await rawRequest('evil.example', true)).toMatch(/^HTTP\/1\.1 403/);
  expect(await rawRequest(`evil.example:${new URL(origin).port}`, true)).toMatch(/^HTTP\/1\.1 403/);
  // The proxy origin's own host gets through to the door (and to the app, which answers its page).
  expect(await rawRequest(new URL(origin).host, true)).toMatch(/^HTTP\/1\.1 200/);
});

test('an upgrade on the proxy origin that is reset or misdirected does not hurt it', async () => {
  const { port } = new URL(origin);
  for (let i = 0; i < 50; i++) {
    await new Promise<void>((resolve) => {
      const s = net.connect(Number(port), '127.0.0.1', () => {
        s.write(`GET ${i % 2 ? '/nothing' : portPath()} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
        setImmediate(() => s.resetAndDestroy());
      });
      s.on('error', () => resolve());
      s.on('close', () => resolve());
    });
  }
  const res = await fetch(origin + portPath());
  expect(res.status).toBe(200);
  await res.text();
});
