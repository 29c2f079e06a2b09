/**
 * Runtime: pausing a lab stops its machines but keeps their disks; resuming
 * finds the file the student wrote, the image they built and the image they
 * pulled (through the registry mirror) inside the machine's own Docker.
 */
import type { SessionStatusEvent } from '../../server/contracts/protocol';
import { api, ask, connect, docker, join, sessionObjects, startBerth, startLab, TermClient, waitFor, waitState, type Berth, type ClientSocket, type Student } from '../contract/harness';

let berth: Berth;
let ada: Student;
let sessionId: string;
let socket: ClientSocket;
const statuses: SessionStatusEvent[] = [];

beforeAll(async () => {
  berth = await startBerth('rt-pause');
  ada = await join(berth.url, 'Ada');
  sessionId = await startLab(berth, ada, 'hello');
  socket = await connect(berth.url, ada.cookie);
  socket.on('session:status', (e) => statuses.push(e));
  expect(await ask(socket, 'session:watch', { sessionId })).toEqual({ ok: true });
}, 120_000);

afterAll(async () => {
  socket?.close();
  await berth?.dispose();
}, 60_000);

test('pause and resume keep a written file, a built image and a pulled image', async () => {
  const term = new TermClient(socket, sessionId, 'docker');
  await term.attach('docker', 0);
  await term.run('echo kept-across-pause > /root/keep.txt && mkdir -p /root/img && echo x > /root/img/x');
  const build = await term.run("cd /root/img && printf 'FROM scratch\\nCOPY x /x\\n' > Dockerfile && docker build -q -t berth-test/scratch:1 . >/dev/null && echo built; cd /root", 120_000);
  expect(build).toBe('built');
  // alpine comes from the classroom's registry mirror (tests/mirror seeds it on this host).
  const pull = await term.run('docker pull -q alpine >/dev/null 2>&1 && echo pulled || echo no-pull', 120_000);
  expect(pull).toBe('pulled');
  expect(await term.run("docker images --format '{{.Repository}}:{{.Tag}}' | sort | tr '\\n' ' '")).toBe('alpine:latest berth-test/scratch:1');

  const [container] = (await sessionObjects(berth.instance, sessionId)).containers;
  const paused = await berth.server.ctx.sessions.pause(sessionId);
  expect(paused.state).toBe('paused');
  await waitFor('a paused status', () => statuses.find((s) => s.state === 'paused' && /paused/.test(s.detail ?? '')));
  await waitFor('the terminal to exit', () => term.exits.length > 0);
  // Stopped, not removed: container and volume are still there.
  const info = await docker.getContainer(container.slice(1)).inspect();
  expect(info.State.Running).toBe(false);
  expect((await sessionObjects(berth.instance, sessionId)).volumes).toHaveLength(1);
  expect(await ask(socket, 'terminal:attach', { sessionId, machine: 'docker', terminalId: 'docker', from: 0, cols: 80, rows: 24 })).toEqual({
    ok: false,
    error: 'Your lab machines are not running.',
    code: 'conflict',
  });

  const resumed = await api(berth.url, 'POST', `/api/sessions/${sessionId}/resume`, { cookie: ada.cookie, body: {} });
  expect(resumed.status).toBe(200);
  expect(['resuming', 'running']).toContain(resumed.json.session.state);
  await waitState(berth, sessionId, 'running', 120_000);
  await waitFor('a running status after resume', () => statuses.slice(statuses.findIndex((s) => s.state === 'paused')).some((s) => s.state === 'running'));

  const again = new TermClient(socket, sessionId, 'docker:2');
  await again.attach('docker', 0);
  expect(await again.run('cat /root/keep.txt')).toBe('kept-across-pause');
  expect(await again.run("docker images --format '{{.Repository}}:{{.Tag}}' | sort | tr '\\n' ' '", 30_000)).toBe('alpine:latest berth-test/scratch:1');
  expect(await again.run('docker run --rm alpine echo alpine-runs', 60_000)).toBe('alpine-runs');
  expect(await again.run('hostname; echo $GREETING')).toBe('docker\nhello');
}, 300_000);

test('a student returning to a paused lab wakes it by opening it', async () => {
  await waitState(berth, sessionId, 'running', 120_000);
  await berth.server.ctx.sessions.pause(sessionId);
  expect(berth.server.ctx.sessions.get(sessionId)?.state).toBe('paused');
  // A new page (a new socket) watching the session is the student coming back.
  const back = await connect(berth.url, ada.cookie);
  try {
    expect(await ask(back, 'session:watch', { sessionId }, 120_000)).toEqual({ ok: true });
    await waitState(berth, sessionId, 'running', 120_000);
    const term = new TermClient(back, sessionId, 'docker:3');
    await term.attach('docker', 0);
    expect(await term.run('cat /root/keep.txt')).toBe('kept-across-pause');
  } finally {
    back.close();
  }
}, 300_000);
