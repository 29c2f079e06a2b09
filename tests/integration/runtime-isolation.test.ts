/**
 * Runtime: two sessions of a two-machine lab. A session's machines reach each
 * other by name; nothing of another session is reachable, by name or address.
 */
import type { BackendState } from '../../server/backend/lab-backend';
import { join, startBerth, startLab, type Berth } from '../contract/harness';

let berth: Berth;
let a: string;
let b: string;

/** A tiny HTTP answer on :8080 from perl (the plain machine image has no nc or python). */
const listen = (who: string) =>
  `setsid perl -MIO::Socket::INET -e '$s=IO::Socket::INET->new(LocalPort=>8080,Listen=>5,ReuseAddr=>1) or die; while($c=$s->accept){ <$c>; print $c "HTTP/1.0 200 OK\\r\\n\\r\\nhello-from-${who}\\n"; close $c }' >/dev/null 2>&1 < /dev/null & sleep 0.3; echo started`;

async function sh(session: string, machine: string, script: string): Promise<{ code: number; out: string }> {
  const row = berth.server.ctx.sessions.get(session)!;
  const r = await berth.server.ctx.backend.exec(row.backendState as BackendState, machine, script, { timeoutMs: 15_000, outputCapBytes: 16_384 });
  return { code: r.exitCode, out: (r.stdout + r.stderr).trim() };
}

const ipOf = async (session: string, machine: string) => (await sh(session, machine, "hostname -I | awk '{print $1}'")).out;

beforeAll(async () => {
  berth = await startBerth('rt-iso');
  const ada = await join(berth.url, 'Ada');
  const bob = await join(berth.url, 'Bob');
  [a, b] = await Promise.all([startLab(berth, ada, 'pair'), startLab(berth, bob, 'pair')]);
  for (const [session, machine] of [
    [a, 'alpha'],
    [a, 'beta'],
    [b, 'alpha'],
    [b, 'beta'],
  ]) {
    expect((await sh(session, machine, listen(`${session}-${machine}`))).out).toBe('started');
  }
}, 120_000);

afterAll(async () => {
  await berth?.dispose();
}, 60_000);

test("a session's machines reach each other by name", async () => {
  expect((await sh(a, 'alpha', 'curl -s --max-time 5 http://beta:8080/')).out).toBe(`hello-from-${a}-beta`);
  expect((await sh(a, 'beta', 'curl -s --max-time 5 http://alpha:8080/')).out).toBe(`hello-from-${a}-alpha`);
  expect((await sh(b, 'alpha', 'curl -s --max-time 5 http://beta:8080/')).out).toBe(`hello-from-${b}-beta`);
  expect((await sh(a, 'alpha', 'hostname')).out).toBe('alpha');
});

test('the same names resolve to the own session only', async () => {
  const [aBeta, bBeta] = await Promise.all([ipOf(a, 'beta'), ipOf(b, 'beta')]);
  expect(aBeta).not.toBe(bBeta);
  expect((await sh(a, 'alpha', 'getent hosts beta | cut -d" " -f1')).out).toBe(aBeta);
  expect((await sh(b, 'alpha', 'getent hosts beta | cut -d" " -f1')).out).toBe(bBeta);
  // Container names of the other session do not resolve either.
  const other = `berth-${berth.instance}-${b}-beta`;
  expect((await sh(a, 'alpha', `getent hosts ${other} || echo unresolved`)).out).toBe('unresolved');
});

test("session A cannot reach session B's machines by address, and B cannot reach A", async () => {
  const [bAlpha, bBeta, aAlpha] = await Promise.all([ipOf(b, 'alpha'), ipOf(b, 'beta'), ipOf(a, 'alpha')]);
  for (const ip of [bAlpha, bBeta]) {
    const r = await sh(a, 'alpha', `curl -s --max-time 3 http://${ip}:8080/; echo "exit=$?"`);
    expect(r.out).not.toContain('hello-from');
    expect(r.out).toMatch(/exit=(7|28)$/);
    // Raw TCP too, not only HTTP.
    expect((await sh(a, 'beta', `timeout 3 bash -c 'exec 3<>/dev/tcp/${ip}/8080' 2>/dev/null && echo open || echo closed`)).out).toBe('closed');
  }
  const back = await sh(b, 'beta', `curl -s --max-time 3 http://${aAlpha}:8080/; echo "exit=$?"`);
  expect(back.out).not.toContain('hello-from');
  // The own session's address of the same machine answers, so the failures above are isolation, not a dead listener.
  expect((await sh(b, 'alpha', `curl -s --max-time 3 http://${bBeta}:8080/`)).out).toBe(`hello-from-${b}-beta`);
}, 60_000);
