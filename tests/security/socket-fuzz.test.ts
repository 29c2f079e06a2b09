/**
 * Socket fuzzer: every inbound event (server/realtime/inbound.ts), unknown
 * events and broken protocol frames, thousands of messages from several
 * clients at once, against a real Berth with a real lab running. Berth must
 * keep serving, every reply must be an error or a well-formed answer, and
 * memory must stay bounded. Loopback only; bounded in count.
 */
import { inbound } from '../../server/realtime/inbound';
import { anyValue, nearMiss, Rng } from './fuzz-payloads';
import { connect, join, socketFor, startBerth, startLab, TermClient, type Berth, type ClientSocket, type Student } from '../contract/harness';

jest.setTimeout(300_000);

const SEED = Number(process.env.BERTH_FUZZ_SEED ?? 20261129);
const CLIENTS = 4;
const MESSAGES_PER_CLIENT = 900;

let berth: Berth;
let ada: Student;
let bob: Student;
let sessionId: string;

beforeAll(async () => {
  berth = await startBerth('sec-sockfuzz', { BERTH_OPEN_JOIN: 'true' });
  [ada, bob] = await Promise.all([join(berth.url, 'Ada'), join(berth.url, 'Bob')]);
  sessionId = await startLab(berth, ada, 'shell-only');
});

afterAll(async () => {
  await berth?.dispose();
});

function validFor(event: string, session: string): Record<string, unknown> {
  const base = { sessionId: session };
  switch (event) {
    case 'terminal:attach':
      return { ...base, machine: 'box', terminalId: 'box', from: 0, cols: 80, rows: 24 };
    case 'terminal:input':
      return { ...base, terminalId: 'box', data: 'echo fuzz\r' };
    case 'terminal:resize':
      return { ...base, terminalId: 'box', cols: 100, rows: 30 };
    case 'terminal:ack':
      return { ...base, terminalId: 'box', bytes: 100 };
    case 'terminal:detach':
    case 'terminal:close':
      return { ...base, terminalId: 'box:3' };
    case 'quiz:answer':
      return { ...base, step: 0, quizId: 'q', choices: [0] };
    case 'session:watch':
      return base;
    default:
      return { ...base, step: 0 };
  }
}

type Verdict = 'error' | 'answer' | 'silent' | 'malformed';

/** An acknowledgement is either `{ ok: false, error: text }` or an answer with `ok: true`. */
function judge(reply: unknown): Verdict {
  if (reply === undefined) return 'silent';
  if (typeof reply !== 'object' || reply === null) return 'malformed';
  const r = reply as { ok?: unknown; error?: unknown };
  if (r.ok === false) return typeof r.error === 'string' && r.error.length > 0 && r.error.length < 1000 ? 'error' : 'malformed';
  return r.ok === true ? 'answer' : 'malformed';
}

function send(socket: ClientSocket, event: string, payload: unknown, wantReply: boolean): Promise<{ verdict: Verdict; reply: unknown }> {
  if (!wantReply) {
    (socket.emit as unknown as (e: string, p: unknown) => void)(event, payload);
    return Promise.resolve({ verdict: 'silent', reply: undefined });
  }
  return new Promise((resolve) => {
    // Events that succeed silently (input, ack, resize) never answer: a moment, then "silent".
    try {
      (socket.timeout(1500).emit as unknown as (e: string, p: unknown, cb: (err: unknown, r: unknown) => void) => void)(event, payload, (err, reply) => {
        resolve(err ? { verdict: 'silent', reply: undefined } : { verdict: judge(reply), reply });
      });
    } catch {
      resolve({ verdict: 'silent', reply: undefined }); // the client library itself refused to encode it
    }
  });
}

test('thousands of random and malformed messages from several clients: Berth keeps serving, every reply is well-formed, memory stays bounded', async () => {
  const rng = new Rng(SEED);
  const events = [...Object.keys(inbound), 'nope', 'terminal:inputs', 'instructor:watch', '__proto__', 'constructor', 'hasOwnProperty', ''.padEnd(300, 'e')];
  const counts: Record<Verdict, number> = { error: 0, answer: 0, silent: 0, malformed: 0 };
  const malformed: string[] = [];
  let reconnects = 0;
  let sent = 0;
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;

  const client = async (index: number) => {
    const student = index % 2 === 0 ? ada : bob;
    let socket = await connect(berth.url, student.cookie);
    const inFlight: Promise<void>[] = [];
    for (let i = 0; i < MESSAGES_PER_CLIENT; i++) {
      // Up to 25 messages in flight per client, so silent events do not serialise the run.
      if (inFlight.length >= 25) await Promise.all(inFlight.splice(0));
      if (!socket.connected) {
        // Berth drops a client that keeps sending garbage: that is the defence working. Come back.
        socket.close();
        socket = await connect(berth.url, student.cookie);
        reconnects++;
      }
      const event = rng.pick(events);
      const session = rng.chance(0.8) ? sessionId : rng.pick(['aaaaaaaaaaaa', 'AAAAAAAAAAAA', '', sessionId.toUpperCase()]);
      const roll = rng.next();
      let payload: unknown;
      if (roll < 0.45) payload = nearMiss(rng, validFor(event, session));
      else if (roll < 0.9) payload = anyValue(rng);
      else if (roll < 0.95) payload = { ...validFor(event, session), data: Buffer.from([0xff, 0xfe, 0x00, 0x1b, 0x5b]) }; // binary where text is expected
      else {
        // Below socket.io: broken protocol frames straight onto the engine.io connection.
        const engine = (socket.io as unknown as { engine: { write(msg: string | Buffer): void } }).engine;
        engine.write(rng.pick(['2[', '42["terminal:input",', '451-["x",{"_placeholder":true,"num":9}]', '4' + '9'.repeat(100), '43999[{}]', '0{"x":1}', '1', '42["connect",{}]', '42["disconnect"]', '42["disconnecting",1]', '42["__proto__",{}]', `42["terminal:input",${'['.repeat(50000)}${']'.repeat(50000)}]`, `42["session:watch",${'{"a":'.repeat(20000)}1${'}'.repeat(20000)}]`, Buffer.from([0, 1, 2, 3]) as unknown as string]));
        sent++;
        continue;
      }
      inFlight.push(
        send(socket, event, payload, rng.chance(0.7)).then(({ verdict, reply }) => {
          counts[verdict]++;
          if (verdict === 'malformed' && malformed.length < 5) malformed.push(`${event}: ${JSON.stringify(reply).slice(0, 200)}`);
        }),
      );
      sent++;
      if (i % 50 === 0) rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }
    await Promise.all(inFlight);
    socket.close();
  };
  await Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(i)));

  if (process.env.BERTH_TEST_VERBOSE) console.log({ seed: SEED, sent, counts, reconnects, rssGrowthMiB: Math.round((rssPeak - rssBefore) / 1048576) });
  expect(sent).toBeGreaterThanOrEqual(CLIENTS * MESSAGES_PER_CLIENT * 0.99);
  expect(malformed).toEqual([]);
  expect(counts.error).toBeGreaterThan(500); // the garbage was answered, not ignored
  expect(counts.answer).toBeGreaterThan(0);
  // Generous: a leak of the fuzzed payloads (megabytes each) would blow far past this.
  expect(rssPeak - rssBefore).toBeLessThan(400 * 1024 * 1024);
  expect(reconnects).toBeGreaterThanOrEqual(0);

  // Still serving: REST answers, a fresh client attaches to Ada's machine and runs a command.
  const health = await fetch(`${berth.url}/api/health`);
  expect(health.status).toBe(200);
  const socket = await connect(berth.url, ada.cookie);
  const term = new TermClient(socket, sessionId, 'box:7');
  expect(await term.attach('box', 0)).toMatchObject({ ok: true });
  expect(await term.run('echo still-$((40+2))')).toBe('still-42');
  socket.close();
});

test('a client without identity is refused at the handshake, again and again, at bounded cost', async () => {
  const rssBefore = process.memoryUsage().rss;
  for (let round = 0; round < 10; round++) {
    const attempts = Array.from({ length: 20 }, (_, i) =>
      new Promise<string>((resolve) => {
        const s = socketFor(berth.url, i % 2 ? 'berth_student=forged.signature' : undefined);
        s.once('connect', () => {
          s.close();
          resolve('connected');
        });
        s.once('connect_error', (err) => {
          s.close();
          resolve(err.message);
        });
      }),
    );
    for (const outcome of await Promise.all(attempts)) expect(outcome).not.toBe('connected');
  }
  expect(process.memoryUsage().rss - rssBefore).toBeLessThan(100 * 1024 * 1024);
});
