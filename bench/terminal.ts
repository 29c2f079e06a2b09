/**
 * Terminal path benchmarks, through Berth and against a direct Docker exec in
 * the same machine in the same run:
 *  - keystroke echo round trip (one key in, its echo out), BENCH_KEYS samples;
 *  - output throughput of `head -c ${BENCH_MB}M /dev/zero | base64` (default 200)
 *    with Berth's flow control on and the client acknowledging as it receives.
 *
 *   npm run bench:terminal
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { io, type Socket } from 'socket.io-client';
import { loadConfig } from '../server/config';
import type { ClientToServerEvents, ServerToClientEvents } from '../server/contracts/protocol';
import { connectDocker } from '../server/docker/engine';
import { startTtyExec } from '../server/docker/exec';
import { startServer } from '../server/http/server';
import { fmt, hostSummary, median, percentile, printTable, sleep } from './util';

const LABS = path.join(__dirname, '..', '..', 'tests', 'fixtures', 'runtime-labs');

/** A byte stream we can type into and wait on, whatever carries it. */
interface Pipe {
  write(data: string): void;
  /** Resolves with the time at which `pattern` has appeared in output received after the call. */
  waitFor(pattern: string, tailOnly?: boolean): Promise<number>;
  received(): number;
}

function pipeFrom(subscribe: (onData: (chunk: Buffer) => void) => void, write: (data: string) => void): Pipe {
  let tail = '';
  let total = 0;
  let waiter: { pattern: string; resolve: (t: number) => void } | null = null;
  subscribe((chunk) => {
    total += chunk.length;
    // Only the last bytes are kept: 270 MB of base64 must not be held in memory here.
    tail = (tail + chunk.toString('latin1')).slice(-256);
    if (waiter && tail.includes(waiter.pattern)) {
      const w = waiter;
      waiter = null;
      tail = '';
      w.resolve(performance.now());
    }
  });
  return {
    write,
    received: () => total,
    waitFor(pattern) {
      tail = '';
      return new Promise((resolve) => {
        waiter = { pattern, resolve };
      });
    },
  };
}

async function echoLatency(pipe: Pipe, keys: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < keys; i++) {
    const key = 'abcdefghijklmnopqrstuvwxyz'[i % 26];
    const seen = pipe.waitFor(key);
    const t0 = performance.now();
    pipe.write(key);
    samples.push((await seen) - t0);
    if (i % 40 === 39) {
      // Ctrl-U clears the line so it never grows long enough to matter.
      const cleared = pipe.waitFor('$ ');
      pipe.write('\x15');
      await Promise.race([cleared, sleep(300)]);
    }
  }
  pipe.write('\x15');
  await sleep(200);
  return samples;
}

async function throughput(pipe: Pipe, mb: number): Promise<{ bytes: number; seconds: number }> {
  const before = pipe.received();
  const done = pipe.waitFor('__END__');
  const t0 = performance.now();
  pipe.write(`head -c ${mb}M /dev/zero | base64; echo "__E""ND__"\r`);
  const t1 = await done;
  return { bytes: pipe.received() - before, seconds: (t1 - t0) / 1000 };
}

async function main(): Promise<void> {
  const keys = Number(process.env.BENCH_KEYS || 200);
  const mb = Number(process.env.BENCH_MB || 200);
  const log = console.log;
  console.log = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith('[berth]')) return;
    log(...args);
  };
  console.log(`terminal: ${keys} keystrokes, ${mb} MB of zeros through base64`);
  console.log(hostSummary());
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-bench-'));
  const instance = `bench-term-${crypto.randomBytes(3).toString('hex')}`;
  const config = loadConfig({ ...process.env, BERTH_PORT: '0', BERTH_HOST: '127.0.0.1', BERTH_LABS_DIR: LABS, BERTH_DATA_DIR: dataDir, BERTH_WARM_POOL: '0', BERTH_INSTANCE: instance, BERTH_CHECK_INTERVAL: '0' });
  const server = await startServer(config);
  let direct: Duplex | null = null;
  let socket: Socket<ServerToClientEvents, ClientToServerEvents> | null = null;
  try {
    const join = await fetch(`${server.url}/api/join`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Bench' }) });
    const cookie = join.headers.get('set-cookie')!.split(';')[0];
    const started = await fetch(`${server.url}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify({ labId: 'shell-only' }) });
    const sessionId = ((await started.json()) as { session: { id: string } }).session.id;
    await server.ctx.sessions.settled(sessionId);

    // Through Berth: socket.io client, acking every chunk as soon as it arrives.
    const s: Socket<ServerToClientEvents, ClientToServerEvents> = io(server.url, { transports: ['websocket'], extraHeaders: { cookie }, forceNew: true });
    socket = s;
    await new Promise<void>((r) => s.once('connect', () => r()));
    const berth = pipeFrom(
      (onData) =>
        s.on('terminal:data', (e) => {
          const data = Buffer.from(e.data as Uint8Array);
          s.emit('terminal:ack', { sessionId, terminalId: 'box', bytes: data.length });
          onData(data);
        }),
      (data) => s.emit('terminal:input', { sessionId, terminalId: 'box', data }),
    );
    const ready = berth.waitFor('$ ');
    await s.emitWithAck('terminal:attach', { sessionId, machine: 'box', terminalId: 'box', from: 0, cols: 120, rows: 32 });
    await Promise.race([ready, sleep(3000)]);

    // Direct: a TTY exec of the same login shell in the same container, read as fast as it comes.
    const docker = connectDocker();
    const [info] = await docker.listContainers({ filters: { label: [`io.berth.session=${sessionId}`] } });
    const tty = await startTtyExec(docker.getContainer(info.Id), ['bash', '-l'], { cols: 120, rows: 32 }, ['TERM=xterm-256color', 'HOME=/root', 'LANG=C.UTF-8']);
    direct = tty.stream;
    const stream = tty.stream;
    const raw = pipeFrom((onData) => stream.on('data', onData), (data) => stream.write(data));
    await sleep(1000);

    const echoBerth = await echoLatency(berth, keys);
    const echoDirect = await echoLatency(raw, keys);
    printTable(
      'Keystroke echo round trip (ms)',
      ['path', 'median', 'p95', 'max'],
      [
        ['Berth (socket.io → exec)', fmt(median(echoBerth), 2), fmt(percentile(echoBerth, 95), 2), fmt(Math.max(...echoBerth), 2)],
        ['direct dockerode exec', fmt(median(echoDirect), 2), fmt(percentile(echoDirect, 95), 2), fmt(Math.max(...echoDirect), 2)],
      ],
    );

    const tBerth = await throughput(berth, mb);
    const terminal = server.ctx.terminals.get(sessionId, 'box');
    const tDirect = await throughput(raw, mb);
    const rate = (t: { bytes: number; seconds: number }) => fmt(t.bytes / 1e6 / t.seconds, 1);
    printTable(
      `Output throughput: head -c ${mb}M /dev/zero | base64 (flow control on, client acks as it receives)`,
      ['path', 'MB received', 'seconds', 'MB/s'],
      [
        ['Berth (exec → scrollback → socket.io)', fmt(tBerth.bytes / 1e6, 1), fmt(tBerth.seconds, 2), rate(tBerth)],
        ['direct dockerode exec', fmt(tDirect.bytes / 1e6, 1), fmt(tDirect.seconds, 2), rate(tDirect)],
      ],
    );
    console.log(`\nserver rss after the flood: ${fmt(process.memoryUsage().rss / 1e6)} MB (server and client share this process); shell paused at the end: ${terminal?.isPaused}`);
  } finally {
    socket?.close();
    direct?.end('exit\r');
    direct?.destroy();
    await server.close({ removeSessions: true });
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
