/**
 * The terminal caps (BERTH_TERMINALS_PER_MACHINE, BERTH_TERMINALS_PER_SESSION)
 * against a real engine, with a lab of two machines: past the session's cap a
 * new terminal is refused with a coded error that says what to do, and the
 * per-machine count cannot be dodged by naming terminals after another
 * machine (the student chooses the terminal id; it says nothing about where
 * the shell runs).
 */
import { connect, join, startBerth, startLab, TermClient, waitFor, type Berth, type ClientSocket } from '../contract/harness';

jest.setTimeout(180_000);

const PER_MACHINE = 3;
const PER_SESSION = 5;

let berth: Berth;
const sockets: ClientSocket[] = [];

beforeAll(async () => {
  berth = await startBerth('sec-termcaps', {
    BERTH_OPEN_JOIN: 'true',
    BERTH_TERMINALS_PER_MACHINE: String(PER_MACHINE),
    BERTH_TERMINALS_PER_SESSION: String(PER_SESSION),
  });
}, 60_000);

afterAll(async () => {
  for (const s of sockets) s.close();
  await berth?.dispose();
}, 60_000);

type AttachReply = { ok: boolean; error?: string; code?: string };

async function pairLab(name: string): Promise<{ socket: ClientSocket; sessionId: string }> {
  const student = await join(berth.url, name);
  const sessionId = await startLab(berth, student, 'pair');
  const socket = await connect(berth.url, student.cookie);
  sockets.push(socket);
  return { socket, sessionId };
}

/** The machines of the session's open terminals, counted. */
function openOn(sessionId: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const id of berth.server.ctx.terminals.ids(sessionId)) {
    const t = berth.server.ctx.terminals.get(sessionId, id);
    if (t?.alive) counts[t.machine] = (counts[t.machine] ?? 0) + 1;
  }
  return counts;
}

test('past the per-session cap a terminal is refused with a coded error; closing one makes room', async () => {
  const { socket, sessionId } = await pairLab('Ada');
  // Up to the caps: three on alpha (its own cap), two on beta (the session's cap of five).
  const ids: Array<[string, string]> = [['alpha', 'alpha'], ['alpha', 'alpha:2'], ['alpha', 'alpha:3'], ['beta', 'beta'], ['beta', 'beta:2']];
  for (const [machine, id] of ids) expect(await new TermClient(socket, sessionId, id).attach(machine)).toMatchObject({ ok: true });

  const sixth = new TermClient(socket, sessionId, 'beta:3');
  const refused = (await sixth.attach('beta')) as AttachReply;
  expect(refused).toMatchObject({ ok: false, code: 'conflict' });
  expect(refused.error).toMatch(new RegExp(`This lab already has ${PER_SESSION} terminals open \\(the most allowed is ${PER_SESSION}\\): close one first`));
  expect(berth.server.ctx.terminals.ids(sessionId)).not.toContain('beta:3');

  socket.emit('terminal:close', { sessionId, terminalId: 'alpha:3' });
  await waitFor('room for another terminal', async () => (await sixth.attach('beta')).ok, 20_000, 200);
  expect(await sixth.run('echo six-$((3+3))')).toBe('six-6');
});

test("terminal ids named after another machine do not dodge a machine's cap, even opened all at once", async () => {
  const { socket, sessionId } = await pairLab('Bob');
  // Six shells on alpha at once, each with an id that claims to be beta's.
  const replies = (await Promise.all(
    Array.from({ length: 6 }, (_, i) => new TermClient(socket, sessionId, `beta:${10 + i}`).attach('alpha')),
  )) as AttachReply[];
  const refused = replies.filter((r) => !r.ok);
  expect(refused.length).toBeGreaterThan(0);
  for (const r of refused) {
    expect(r.code).toBe('conflict');
    expect(r.error).toMatch(new RegExp(`alpha already has ${PER_MACHINE} terminals open \\(the most allowed is ${PER_MACHINE}\\)`));
  }
  // However the race went (the main terminal pre-opened or not), alpha holds no more shells than its cap.
  expect(openOn(sessionId).alpha ?? 0).toBeLessThanOrEqual(PER_MACHINE);
  expect(openOn(sessionId).alpha ?? 0).toBeGreaterThan(0);
});
