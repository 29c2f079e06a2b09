/**
 * The whole server (HTTP, socket.io, sessions, terminals) on the in-memory
 * backend: what a browser does, with no Docker engine anywhere. The same
 * scenario as tests/contract/step-setup.test.ts, which runs it on the engine.
 */
import { connect, join, startBerth, startLab, TermClient, type Berth, type ClientSocket } from '../../contract/harness';

let berth: Berth;
const sockets: ClientSocket[] = [];

beforeAll(async () => {
  berth = await startBerth('unit-fake', { BERTH_BACKEND: 'fake', NODE_ENV: 'test', DOCKER_HOST: 'tcp://127.0.0.1:1' });
}, 30_000);

afterAll(async () => {
  for (const s of sockets) s.close();
  await berth?.dispose();
});

test('BERTH_BACKEND=fake: a student joins, starts a lab, and the first step\'s visible setup is typed into their terminal', async () => {
  expect(berth.server.ctx.backend.name).toBe('fake');
  const ada = await join(berth.url, 'Ada');
  const sessionId = await startLab(berth, ada, 'step-setup');
  const socket = await connect(berth.url, ada.cookie);
  sockets.push(socket);
  const term = new TermClient(socket, sessionId, 'box');
  expect(await term.attach('box', 0)).toEqual({ ok: true, owner: true });
  await term.waitText('echo typed-by-berth >> /root/visible-0.txt');
  // The fake's shell ran the typed line: the file is in the (in-memory) machine.
  await term.waitText(/\$ $/);
  term.type('cat /root/visible-0.txt\r');
  await term.waitText('\ntyped-by-berth\n');
}, 20_000);
