/**
 * A stranger who opens a TCP connection, asks for a websocket upgrade and then
 * resets it must not take Berth down; nor may a student's app that resets a
 * websocket proxied to it, or a browser that resets one after the 101. Berth
 * runs here as its own process (`berth serve`), so a crash shows as the
 * process exiting, not as a jest error.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { api, docker, join, removeInstanceObjects, SESSION_LABEL, uniqueInstance, waitFor } from '../contract/harness';
import { baseEnv, serve } from '../tools/serve-child';

let child: ChildProcess;
let port = 0;
let exited: number | null | undefined;
let dataDir = '';
const instance = uniqueInstance('upgrade');

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-upgrade-'));
  const server = await serve(baseEnv(instance, dataDir));
  child = server.child;
  port = Number(new URL(server.url).port);
  child.on('exit', (code) => (exited = code));
}, 60_000);

afterAll(async () => {
  if (child && exited === undefined) {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  await removeInstanceObjects(instance);
  fs.rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

function upgradeRequest(pathname: string, origin?: string, cookie?: string): string {
  return [
    `GET ${pathname} HTTP/1.1`,
    `Host: 127.0.0.1:${port}`,
    ...(cookie ? [`Cookie: ${cookie}`] : []),
    'Connection: Upgrade',
    'Upgrade: websocket',
    'Sec-WebSocket-Version: 13',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    ...(origin ? [`Origin: ${origin}`] : []),
    '',
    '',
  ].join('\r\n');
}

/** Sends the upgrade, then resets the connection: at once, or after the first reply byte. */
function resetUpgrade(request: string, when: 'at-once' | 'after-reply' | 'half-sent'): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const done = () => resolve();
    socket.on('error', done);
    socket.on('close', done);
    socket.on('connect', () => {
      if (when === 'half-sent') {
        socket.write(request.slice(0, request.length / 2));
        setImmediate(() => socket.resetAndDestroy());
        return;
      }
      socket.write(request);
      if (when === 'at-once') setImmediate(() => socket.resetAndDestroy());
      else socket.once('data', () => socket.resetAndDestroy());
      // A path that is held open (no reply yet) is reset after a moment too.
      setTimeout(() => socket.resetAndDestroy(), 200).unref();
    });
  });
}

async function health(): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/api/health`);
  await res.text();
  return res.status;
}

test('hundreds of reset upgrades on every kind of path leave the same process serving', async () => {
  const paths: Array<[string, string | undefined]> = [
    ['/nothing', undefined],
    ['/', undefined],
    ['/api/health', undefined],
    ['/s/aaaaaaaaaaaa/node1/80/', undefined],
    ['/s/not-a-session', undefined],
    ['/socket.io/?EIO=4&transport=websocket', 'http://evil.example'],
    ['/socket.io/?EIO=4&transport=websocket', undefined],
  ];
  const modes = ['at-once', 'after-reply', 'half-sent'] as const;
  let sent = 0;
  for (let round = 0; round < 15; round++) {
    const batch: Promise<void>[] = [];
    for (const [p, origin] of paths) for (const mode of modes) batch.push(resetUpgrade(upgradeRequest(p, origin), mode));
    await Promise.all(batch);
    sent += batch.length;
  }
  expect(sent).toBeGreaterThanOrEqual(300);
  expect(exited).toBeUndefined();
  expect(await health()).toBe(200);
}, 120_000);

test('an upgrade on a path nobody handles is answered 400 and closed', async () => {
  const reply = await new Promise<string>((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(upgradeRequest('/nothing')));
    let text = '';
    socket.on('data', (d) => (text += d.toString()));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
    setTimeout(() => reject(new Error(`no close; got ${JSON.stringify(text)}`)), 5000).unref();
  });
  expect(reply.startsWith('HTTP/1.1 400')).toBe(true);
  expect(exited).toBeUndefined();
});

// In the lab machine: answers every upgrade with a 101, then resets the connection (SO_LINGER 0) at the first byte it reads.
const RESETTING_APP = String.raw`use IO::Socket::INET; use Socket;
my $s = IO::Socket::INET->new(LocalPort => 8090, Listen => 50, ReuseAddr => 1) or die "listen: $!";
while (my $c = $s->accept) {
  while (my $line = <$c>) { last if $line eq "\r\n"; }
  print $c "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n";
  my $byte; sysread($c, $byte, 1);
  setsockopt($c, SOL_SOCKET, SO_LINGER, pack("ii", 1, 0)); close $c;
}`;

/** A websocket through the port proxy up to its 101; then the machine's side resets it (`machine`), or this side does (`browser`). */
function liveProxiedReset(request: string, side: 'machine' | 'browser'): Promise<{ switched: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(request));
    let switched = false;
    socket.on('data', (d) => {
      if (switched || !d.toString().startsWith('HTTP/1.1 101')) return;
      switched = true;
      if (side === 'machine') socket.write('x'); // the app resets its side on reading it
      else socket.resetAndDestroy();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ switched }));
    setTimeout(() => reject(new Error(`the proxied websocket stayed open (switched: ${switched})`)), 10_000).unref();
  });
}

test('a live proxied websocket reset by the machine, or by the browser after the 101, leaves the same process serving', async () => {
  const ada = await join(`http://127.0.0.1:${port}`, 'Ada');
  const started = await api(`http://127.0.0.1:${port}`, 'POST', '/api/sessions', { cookie: ada.cookie, body: { labId: 'shell-only' } });
  expect(started.status).toBe(200);
  const sessionId: string = started.json.session.id;
  await waitFor('the lab to run', async () => (await api(`http://127.0.0.1:${port}`, 'GET', `/api/sessions/${sessionId}`, { cookie: ada.cookie })).json.session?.state === 'running', 120_000, 250);
  const [machine] = await docker.listContainers({ filters: { label: [`${SESSION_LABEL}=${sessionId}`] } });
  execFileSync('docker', ['exec', '-d', machine.Id, 'perl', '-e', RESETTING_APP]);
  const request = upgradeRequest(`/s/${sessionId}/box/8090/`, undefined, ada.cookie);
  await waitFor('the app in the machine to listen', async () => (await liveProxiedReset(request, 'browser').catch(() => ({ switched: false }))).switched, 20_000, 250);

  for (let round = 0; round < 10; round++) {
    const results = await Promise.all([...Array(5)].flatMap(() => [liveProxiedReset(request, 'machine'), liveProxiedReset(request, 'browser')]));
    // The app takes one connection at a time: each got its 101 (the proxy carried it), and each was closed.
    expect(results.every((r) => r.switched)).toBe(true);
  }
  expect(exited).toBeUndefined();
  expect(await health()).toBe(200);
}, 240_000);
