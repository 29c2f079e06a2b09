/**
 * A stranger who opens a TCP connection, asks for a websocket upgrade and then
 * resets it must not take Berth down. Berth runs here as its own process
 * (`berth serve`), so a crash shows as the process exiting, not as a jest error.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { uniqueInstance } from '../contract/harness';
import { baseEnv, serve } from '../tools/serve-child';

let child: ChildProcess;
let port = 0;
let exited: number | null | undefined;
let dataDir = '';

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-upgrade-'));
  const server = await serve(baseEnv(uniqueInstance('upgrade'), dataDir));
  child = server.child;
  port = Number(new URL(server.url).port);
  child.on('exit', (code) => (exited = code));
}, 60_000);

afterAll(async () => {
  if (child && exited === undefined) {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function upgradeRequest(pathname: string, origin?: string): string {
  return [
    `GET ${pathname} HTTP/1.1`,
    `Host: 127.0.0.1:${port}`,
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
