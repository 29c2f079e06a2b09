/**
 * The port proxy serves whatever a student's machine answers, from Berth's
 * own origin. A page that reads cookies, plants cookies and registers a
 * service worker must not touch Berth: checked by headers (HTTP and websocket
 * replies), and in a real Chromium both opened directly and inside a
 * sandboxed iframe. Websockets through the proxy have a handshake deadline
 * and a cap per student.
 */
import net from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { proxyKey } from '../../server/http/port-proxy';
import { join, startBerth, startLab, waitFor, type Berth, type Student } from '../contract/harness';

jest.setTimeout(180_000);

const SECRET = 'port-proxy-sandbox-test-secret-0123456789';

const PAGE = `<!doctype html><title>student</title><h1>student page</h1><script src="app.js"></script><script>
let c; try { c = 'read:' + document.cookie; } catch (e) { c = 'blocked:' + e.name; }
console.log('REPORT cookie ' + c);
try { document.cookie = 'planted=1; path=/'; console.log('REPORT plant ' + document.cookie); } catch (e) { console.log('REPORT plant blocked ' + e.name); }
try { localStorage.setItem('x', '1'); console.log('REPORT storage open'); } catch (e) { console.log('REPORT storage blocked'); }
try {
  if (!navigator.serviceWorker) console.log('REPORT sw unavailable');
  else navigator.serviceWorker.register('sw.js', { scope: './' }).then(() => console.log('REPORT sw registered'), (e) => console.log('REPORT sw refused ' + e.name));
} catch (e) { console.log('REPORT sw refused ' + e.name); }
</script>`;

// A small HTTP server in Perl (the lab machine has Perl, not Python): logs every request, answers by path.
const SERVER = String.raw`use IO::Socket::INET;
my $s = IO::Socket::INET->new(LocalPort => 8080, Listen => 20, ReuseAddr => 1) or die "listen: $!";
open my $f, '<', '/tmp/page.html'; my $page = do { local $/; <$f> }; close $f;
while (my $c = $s->accept) {
  my $req = '';
  while (my $line = <$c>) { $req .= $line; last if $line eq "\r\n"; }
  open my $log, '>>', '/tmp/requests.log'; print $log $req; close $log;
  my ($path) = $req =~ /^\S+ (\S+)/;
  if ($path =~ m{^/ws101}) {
    print $c "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSet-Cookie: berth_student=planted; Path=/\r\nService-Worker-Allowed: /\r\nClear-Site-Data: \"cookies\"\r\n\r\nframes-follow";
    close $c; next;
  }
  my ($type, $body, $extra) = ('text/html', $page, "Set-Cookie: evil=1; Path=/\r\nService-Worker-Allowed: /\r\nClear-Site-Data: \"cookies\"\r\n");
  if ($path =~ m{^/app\.js}) { ($type, $body, $extra) = ('application/javascript', "console.log('REPORT subresource ran');", ''); }
  elsif ($path =~ m{^/sw\.js}) { ($type, $body, $extra) = ('application/javascript', "self.addEventListener('fetch', () => {});", "Service-Worker-Allowed: /\r\n"); }
  elsif ($path =~ m{^/echo}) { ($type, $body, $extra) = ('text/plain', $req, "Set-Cookie: evil=2; Path=/\r\n"); }
  print $c "HTTP/1.1 200 OK\r\nContent-Type: $type\r\nContent-Length: " . length($body) . "\r\nConnection: close\r\n$extra\r\n$body";
  close $c;
}
`;

// Port 8081 accepts connections and never answers: a handshake that never completes.
const SILENT = `setsid nohup perl -MIO::Socket::INET -e '$s=IO::Socket::INET->new(LocalPort=>8081,Listen=>50,ReuseAddr=>1) or die; while($c=$s->accept){push @held,$c}' >/dev/null 2>&1 </dev/null &`;
const SOCKET_CAP = 3;

let berth: Berth;
let ada: Student;
let sessionId: string;
let browser: Browser;
let base: string;

beforeAll(async () => {
  berth = await startBerth('sec-proxy', {
    BERTH_OPEN_JOIN: 'true',
    BERTH_SECRET: SECRET,
    BERTH_PROXY_SOCKETS_PER_STUDENT: String(SOCKET_CAP),
    BERTH_PROXY_HANDSHAKE_SECONDS: '2',
  });
  ada = await join(berth.url, 'Ada');
  sessionId = await startLab(berth, ada, 'shell-only');
  const row = berth.server.ctx.sessions.get(sessionId)!;
  const script = `cat > /tmp/page.html <<'BERTH_EOF'\n${PAGE}\nBERTH_EOF\ncat > /tmp/server.pl <<'BERTH_EOF'\n${SERVER}\nBERTH_EOF\nsetsid nohup perl /tmp/server.pl >/tmp/server.log 2>&1 < /dev/null &\n${SILENT}\nfor i in $(seq 50); do curl -s -o /dev/null localhost:8080/ready && exit 0; sleep 0.1; done; cat /tmp/server.log; exit 1`;
  const started = await berth.server.ctx.backend.exec(row.backendState as never, 'box', script, { timeoutMs: 20_000, outputCapBytes: 4096 });
  if (started.exitCode !== 0) throw new Error(`the test server did not start: ${started.stdout} ${started.stderr}`);
  base = `/s/${sessionId}-${proxyKey(SECRET, sessionId)}/box/8080/`;
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
});

afterAll(async () => {
  await browser?.close();
  await berth?.dispose();
});

test("proxied responses lose the app's Set-Cookie and service-worker headers and gain a sandbox", async () => {
  const res = await fetch(berth.url + base, { headers: { cookie: ada.cookie } });
  expect(res.status).toBe(200);
  expect(res.headers.get('set-cookie')).toBeNull();
  expect(res.headers.get('service-worker-allowed')).toBeNull();
  expect(res.headers.get('clear-site-data')).toBeNull();
  expect(res.headers.get('content-security-policy')).toMatch(/^sandbox allow-scripts/);
  expect(res.headers.get('content-security-policy')).not.toMatch(/allow-same-origin/);
  expect(await res.text()).toContain('student page');
});

test("Berth's cookie never reaches the student's app", async () => {
  const res = await fetch(`${berth.url}${base}echo`, { headers: { cookie: `${ada.cookie}; other=1` } });
  const seen = await res.text();
  expect(seen).toMatch(/^GET \/echo HTTP/);
  expect(seen.toLowerCase()).not.toContain('cookie:');
  expect(seen).not.toContain(ada.cookie.split('=')[1]);
});

test('a request for a service worker script is refused, and a wrong key is a stranger (404, as everywhere in Berth)', async () => {
  const sw = await fetch(`${berth.url}${base}sw.js`, { headers: { 'service-worker': 'script' } });
  expect(sw.status).toBe(403);
  const forged = await fetch(`${berth.url}/s/${sessionId}-${'A'.repeat(22)}/box/8080/`);
  expect(forged.status).toBe(404);
  expect(await forged.text()).toBe('That lab session does not exist.');
  const anonymous = await fetch(`${berth.url}/s/${sessionId}/box/8080/`);
  expect(anonymous.status).toBe(404);
});

/** A raw websocket handshake through the proxy; resolves with everything Berth sent until it closed (or `holdMs` passed). */
function upgrade(pathname: string, holdMs = 10_000): Promise<{ text: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const { port } = new URL(berth.url);
    const socket = net.connect(Number(port), '127.0.0.1', () =>
      socket.write(
        `GET ${pathname} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
      ),
    );
    let text = '';
    const done = () => resolve({ text, ms: Date.now() - started });
    socket.on('data', (d) => (text += d.toString()));
    socket.on('close', done);
    socket.on('error', reject);
    setTimeout(() => {
      socket.destroy();
      done();
    }, holdMs).unref();
  });
}

function headerNames(reply: string): string[] {
  return reply
    .split('\r\n\r\n')[0]
    .split('\r\n')
    .slice(1)
    .map((line) => line.slice(0, line.indexOf(':')).toLowerCase());
}

test("websocket replies lose the app's Set-Cookie and service-worker headers too, a 101 and a refusal alike", async () => {
  const switched = await upgrade(`${base}ws101`);
  expect(switched.text.startsWith('HTTP/1.1 101')).toBe(true);
  expect(switched.text).toContain('frames-follow'); // the app's bytes after the 101 still flow
  const names = headerNames(switched.text);
  expect(names).toContain('sec-websocket-accept');
  for (const dropped of ['set-cookie', 'service-worker-allowed', 'clear-site-data']) expect(names).not.toContain(dropped);

  // The app answers the upgrade with an ordinary page: piped raw by http-proxy, sanitized all the same.
  const refused = await upgrade(base);
  expect(refused.text).toMatch(/^HTTP\/1\.1 200/);
  expect(headerNames(refused.text)).not.toContain('set-cookie');
  expect(headerNames(refused.text)).not.toContain('service-worker-allowed');
  expect(refused.text).toMatch(/content-security-policy: sandbox allow-scripts/i);
});

test('a handshake the app never answers is cut at the deadline, and pending or open websockets are capped per student', async () => {
  const silent = `/s/${sessionId}-${proxyKey(SECRET, sessionId)}/box/8081/`;
  const held = Array.from({ length: SOCKET_CAP }, () => upgrade(silent));
  await waitFor('the held handshakes to count', () => berth.server.ctx.proxy.openSockets(ada.id) === SOCKET_CAP, 5000);
  const over = await upgrade(silent);
  expect(over.text).toMatch(/^HTTP\/1\.1 429/);
  expect(over.ms).toBeLessThan(1000);
  for (const h of await Promise.all(held)) {
    expect(h.text).toMatch(/^HTTP\/1\.1 504/);
    expect(h.ms).toBeGreaterThanOrEqual(1500);
    expect(h.ms).toBeLessThan(6000);
  }
  await waitFor('the slots to be given back', () => berth.server.ctx.proxy.openSockets(ada.id) === 0, 5000);
  expect((await upgrade(`${base}ws101`)).text.startsWith('HTTP/1.1 101')).toBe(true);
});

async function openAsAda(): Promise<{ page: Page; reports: string[] }> {
  const context = await browser.newContext();
  const [name, value] = ada.cookie.split('=');
  await context.addCookies([{ name, value, domain: '127.0.0.1', path: '/', httpOnly: true, sameSite: 'Lax' }]);
  const page = await context.newPage();
  const reports: string[] = [];
  page.on('console', (m) => {
    if (m.text().startsWith('REPORT ')) reports.push(m.text().slice(7));
  });
  return { page, reports };
}

/** What Berth's own origin holds after the student's page ran. */
async function berthOriginState(page: Page): Promise<{ cookies: string[]; workers: number }> {
  await page.goto(`${berth.url}/api/health`);
  const workers = await page.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).length);
  const cookies = (await page.context().cookies(berth.url)).map((c) => c.name).sort();
  return { cookies, workers };
}

function expectContained(reports: string[]): void {
  expect(reports).toContain('subresource ran'); // the page still works: its own script loaded through the key
  expect(reports.find((r) => r.startsWith('cookie '))).toMatch(/^cookie blocked:SecurityError$/);
  expect(reports.find((r) => r.startsWith('plant '))).toMatch(/^plant blocked/);
  expect(reports).toContain('storage blocked');
  expect(reports.find((r) => r.startsWith('sw '))).toMatch(/^sw (refused|unavailable)/);
}

test('opened in its own tab, the page runs sandboxed and leaves Berth untouched', async () => {
  const { page, reports } = await openAsAda();
  await page.goto(berth.url + base);
  await waitFor(() => `the page's reports (got ${JSON.stringify(reports)})`, () => reports.length >= 5 && reports.some((r) => r.startsWith('sw ')));
  expectContained(reports);
  const after = await berthOriginState(page);
  expect(after.cookies).toEqual(['berth_student']);
  expect(after.workers).toBe(0);
  await page.context().close();
});

test('inside a sandboxed iframe on a Berth page, the same', async () => {
  const { page, reports } = await openAsAda();
  await page.goto(`${berth.url}/api/health`);
  await page.evaluate((src) => {
    const frame = document.createElement('iframe');
    frame.setAttribute('sandbox', 'allow-scripts allow-forms allow-popups allow-modals allow-downloads');
    frame.src = src;
    document.body.appendChild(frame);
  }, base);
  await waitFor(() => `the framed page's reports (got ${JSON.stringify(reports)})`, () => reports.length >= 5 && reports.some((r) => r.startsWith('sw ')));
  expectContained(reports);
  const after = await berthOriginState(page);
  expect(after.cookies).toEqual(['berth_student']);
  expect(after.workers).toBe(0);
  await page.context().close();
});
