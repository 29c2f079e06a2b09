/**
 * Terminal path benchmarks, side by side in one run, into the same lab machine:
 *  - Berth: `berth serve` as its own process, a socket.io client acknowledging
 *    output as the lab page does once xterm has drawn it: with the page's own
 *    AckBatcher, after the chunk is handled, every 32 KiB or after 30 ms of quiet
 *    (BENCH_ACK=chunk: an ack for every chunk, sent before the chunk is handled,
 *    which is how this bench measured until 2026-12-07 21:00);
 *  - wetty (npm, installed by this script into a temporary folder; BENCH_WETTY=0
 *    skips it) running `docker exec -it <machine> bash -l`, its client sending
 *    wetty's own flow-control commits;
 *  - a direct dockerode TTY exec, read as fast as it comes (the floor).
 * Measured: keystroke echo round trip (BENCH_KEYS, 200), output throughput of
 * `head -c ${BENCH_MB}M /dev/zero | tr '\0' a` (BENCH_MB, 100), and how long
 * Ctrl-C during an endless flood takes to bring the shell back. Every figure is
 * also printed as a ratio to the direct exec of the same run. Echo and
 * throughput run in BENCH_ROUNDS (3) rounds, the paths' order reversed in
 * every other round; the figures are medians over the rounds.
 *
 *   npm run bench:terminal
 */
import { execFile, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { promisify } from 'node:util';
import { io, type Socket } from 'socket.io-client';
import { AckBatcher } from '../client/src/logic/ack-batcher';
import type { ClientToServerEvents, ServerToClientEvents } from '../server/contracts/protocol';
import { TEXT_CHUNKS_AUTH, terminalDataBytes } from '../server/contracts/terminal-data';
import { connectDocker } from '../server/docker/engine';
import { startTtyExec } from '../server/docker/exec';
import { studentWithLab } from './api';
import { serveChild, startBerth } from './berth-child';
import { keyEcho, textWatch } from './echo';
import { fmt, hostSummary, median, percentile, printTable, rssOf, runMain, sleep } from './util';

/** A byte stream we can type into and wait on, whatever carries it. */
interface Pipe {
  name: string;
  write(data: string): void;
  /** Resolves with the time at which `pattern` has appeared in output received after the call. */
  waitFor(pattern: string): Promise<number>;
  received(): number;
}

function pipeFrom(name: string, subscribe: (onData: (chunk: Buffer) => void) => void, write: (data: string) => void): Pipe {
  let total = 0;
  // Only the last bytes are kept: a hundred megabytes must not be held here.
  const watch = textWatch(256);
  subscribe((chunk) => {
    total += chunk.length;
    watch.feed(chunk);
  });
  return {
    name,
    write,
    received: () => total,
    waitFor: (pattern) => watch.next(pattern),
  };
}

function timeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, sleep(ms).then(() => Promise.reject(new Error(`${what}: nothing within ${ms} ms`)))]);
}

function echoLatency(pipe: Pipe, keys: number): Promise<number[]> {
  return keyEcho(
    (data) => pipe.write(data),
    (key, i) => timeout(pipe.waitFor(key), 10_000, `${pipe.name} echo of key ${i + 1} (${pipe.received()} bytes received so far)`),
    keys,
  );
}

async function throughput(pipe: Pipe, mb: number): Promise<{ bytes: number; seconds: number }> {
  const before = pipe.received();
  const done = pipe.waitFor('__END__');
  const t0 = performance.now();
  pipe.write(`head -c ${mb}M /dev/zero | tr '\\0' a; echo; echo "__E""ND__"\r`);
  const t1 = await timeout(done, 600_000, `${pipe.name} throughput`);
  return { bytes: pipe.received() - before, seconds: (t1 - t0) / 1000 };
}

/** An endless flood, Ctrl-C after a second of it: time until the shell runs the next command. */
async function interrupt(pipe: Pipe): Promise<number> {
  const flooding = pipe.waitFor('aaaa');
  pipe.write(`cat /dev/zero | tr '\\0' a\r`);
  await timeout(flooding, 10_000, `${pipe.name} flood`);
  await sleep(1000);
  const back = pipe.waitFor('__BACK__');
  const t0 = performance.now();
  pipe.write('\x03');
  pipe.write('echo "__B""ACK__"\r');
  const t1 = await timeout(back, 60_000, `${pipe.name} Ctrl-C`);
  await sleep(300);
  return t1 - t0;
}

interface Served {
  child: ChildProcess;
  url: string;
}

/** wetty from npm into a temporary folder; null (with the reason printed) when it cannot be had here. */
async function startWetty(containerId: string): Promise<Served | null> {
  if (process.env.BENCH_WETTY === '0') return null;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-bench-wetty-'));
  try {
    // Asynchronously: a blocked event loop would miss socket.io's pings and lose Berth's socket meanwhile.
    await promisify(execFile)('npm', ['install', '--prefix', dir, '--no-audit', '--no-fund', '--loglevel=error', 'wetty'], { timeout: 300_000 });
    const main = path.join(dir, 'node_modules', 'wetty', 'build', 'main.js');
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const { child } = await serveChild(
      [main, '--host', '127.0.0.1', '--port', String(port), '--base', '/wetty', '--command', `docker exec -it ${containerId} bash -l`],
      { ...process.env, NODE_ENV: 'production' },
      /Server started|listening|started on/i,
      'wetty',
    );
    child.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    return { child, url: `http://127.0.0.1:${port}` };
  } catch (err) {
    console.log(`wetty: not measured (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`);
    fs.rmSync(dir, { recursive: true, force: true });
    return null;
  }
}

async function main(): Promise<void> {
  const keys = Number(process.env.BENCH_KEYS || 200);
  const mb = Number(process.env.BENCH_MB || 100);
  const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS || 3));
  console.log(`terminal: ${keys} keystrokes, ${mb} MB of output, Ctrl-C during a flood; Berth, wetty and a direct exec into the same machine; Berth acks ${process.env.BENCH_ACK === "chunk" ? "every chunk" : "as the lab page does"}`);
  console.log(hostSummary());
  const berth = await startBerth('bench-term');
  let wetty: Served | null = null;
  let direct: Duplex | null = null;
  const sockets: Array<{ close(): void }> = [];
  try {
    const { cookie, sessionId } = await studentWithLab(berth.url, 'Bench', 'shell-only', { tries: 600, what: 'the lab' });

    // Through Berth: a socket.io client that reads string chunks and acks as the page does (see the top).
    const s: Socket<ServerToClientEvents, ClientToServerEvents> = io(berth.url, { transports: ['websocket'], extraHeaders: { cookie }, auth: { ...TEXT_CHUNKS_AUTH }, forceNew: true });
    sockets.push(s);
    await new Promise<void>((r) => s.once('connect', () => r()));
    await s.emitWithAck('session:watch', { sessionId });
    const ackEachChunk = process.env.BENCH_ACK === 'chunk';
    const acks = new AckBatcher({ send: (bytes) => s.emit('terminal:ack', { sessionId, terminalId: 'box', bytes }) });
    const viaBerth = pipeFrom(
      'Berth',
      (onData) =>
        s.on('terminal:data', (e) => {
          const bytes = terminalDataBytes(e.data);
          // A view, not a copy (Buffer.from(Uint8Array) would copy): the direct exec's chunks are not copied either.
          const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
          if (ackEachChunk) s.emit('terminal:ack', { sessionId, terminalId: 'box', bytes: data.length });
          onData(data);
          if (!ackEachChunk) acks.written(data.length);
        }),
      (data) => s.emit('terminal:input', { sessionId, terminalId: 'box', data }),
    );
    const ready = viaBerth.waitFor('# ');
    await s.emitWithAck('terminal:attach', { sessionId, machine: 'box', terminalId: 'box', from: 0, cols: 120, rows: 32 });
    await Promise.race([ready, sleep(3000)]);

    // Direct: a TTY exec of the same login shell in the same container, read as fast as it comes.
    const docker = connectDocker();
    const [info] = await docker.listContainers({ filters: { label: [`io.berth.session=${sessionId}`] } });
    const tty = await startTtyExec(docker.getContainer(info.Id), ['bash', '-l'], { cols: 120, rows: 32 }, ['TERM=xterm-256color', 'HOME=/root', 'LANG=C.UTF-8']);
    direct = tty.stream;
    const stream = tty.stream;
    const viaDirect = pipeFrom('direct exec', (onData) => stream.on('data', onData), (data) => stream.write(data));

    // wetty: its own socket.io protocol (data/input/resize, a 'commit' for every 256 KiB drawn).
    const pipes: Pipe[] = [viaBerth];
    wetty = await startWetty(info.Id);
    if (wetty) {
      const w = io(wetty.url, { path: '/wetty/socket.io', transports: ['websocket'], forceNew: true });
      sockets.push(w);
      await timeout(new Promise<void>((r) => w.once('connect', () => r())), 10_000, 'wetty connect');
      let uncommitted = 0;
      const viaWetty = pipeFrom(
        'wetty',
        (onData) =>
          w.on('data', (text: string) => {
            const data = Buffer.from(text, 'utf8');
            uncommitted += text.length;
            while (uncommitted >= 262_144) {
              w.emit('commit', 262_144);
              uncommitted -= 262_144;
            }
            onData(data);
          }),
        (data) => w.emit('input', data),
      );
      const prompt = viaWetty.waitFor('# ');
      w.emit('resize', { cols: 120, rows: 32 });
      await Promise.race([prompt, sleep(5000)]);
      pipes.push(viaWetty);
    }
    pipes.push(viaDirect);
    await sleep(1000);

    // Rounds, the paths' order turned round each time: this host's speed drifts within seconds, and a
    // ratio of two single runs taken one after the other measured that drift as much as the paths.
    const order = (round: number) => (round % 2 ? [...pipes].reverse() : pipes);
    const echo = new Map<string, number[]>(pipes.map((p) => [p.name, []]));
    for (let round = 0; round < rounds; round++) {
      for (const p of order(round)) echo.get(p.name)!.push(...(await echoLatency(p, Math.ceil(keys / rounds))));
    }
    const floorEcho = median(echo.get('direct exec')!);
    printTable(
      'Keystroke echo round trip (ms)',
      ['path', 'median', '× direct', 'p95', 'max'],
      pipes.map((p) => {
        const v = echo.get(p.name)!;
        return [p.name, fmt(median(v), 2), fmt(median(v) / floorEcho, 1), fmt(percentile(v, 95), 2), fmt(Math.max(...v), 2)];
      }),
    );

    const rate = (t: { bytes: number; seconds: number }) => t.bytes / 1e6 / t.seconds;
    const rates = new Map<string, number[]>(pipes.map((p) => [p.name, []]));
    const received = new Map<string, number>();
    for (let round = 0; round < rounds; round++) {
      for (const p of order(round)) {
        const t = await throughput(p, mb);
        rates.get(p.name)!.push(rate(t));
        received.set(p.name, t.bytes);
      }
    }
    const rssAfter = rssOf(berth.child.pid!);
    const floorRate = median(rates.get('direct exec')!);
    printTable(
      `Output throughput: head -c ${mb}M /dev/zero | tr '\\0' a (flow control on, clients acknowledge as they receive; median of ${rounds} rounds)`,
      ['path', 'MB received', 'MB/s, each round', 'MB/s', '% of direct'],
      pipes.map((p) => {
        const r = rates.get(p.name)!;
        return [p.name, fmt(received.get(p.name)! / 1e6, 1), r.map((x) => fmt(x, 1)).join(', '), fmt(median(r), 1), fmt((100 * median(r)) / floorRate)];
      }),
    );

    const back = new Map<string, number>();
    for (const p of pipes) back.set(p.name, await interrupt(p));
    printTable(
      'Ctrl-C during an endless flood → the next command runs (ms)',
      ['path', 'ms'],
      pipes.map((p) => [p.name, fmt(back.get(p.name)!)]),
    );
    console.log(`\nBerth's RSS (its own process) after the floods: ${fmt(rssAfter / 1024 ** 2)} MiB`);
  } finally {
    for (const s of sockets) s.close();
    direct?.end('exit\r');
    direct?.destroy();
    wetty?.child.kill('SIGTERM');
    await berth.stop();
  }
  process.exit(0);
}

runMain(main);
