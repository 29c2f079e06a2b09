/**
 * Runtime: Berth stops mid-session (machines left running) and starts again
 * with the same data and instance. The session is re-adopted, its machine and
 * files are the same, the student's cookie still works, the terminal comes
 * back (a client that is ahead of the new shell is told to reset), and objects
 * labelled as ours that no session owns are removed.
 */
import { api, ask, connect, docker, INSTANCE_LABEL, join, SESSION_LABEL, sessionObjects, startBerth, startLab, TermClient, type Berth, type Student } from '../contract/harness';

let berth: Berth;
let ada: Student;
let sessionId: string;

beforeAll(async () => {
  berth = await startBerth('rt-restart');
  ada = await join(berth.url, 'Ada');
  sessionId = await startLab(berth, ada, 'shell-only');
}, 60_000);

afterAll(async () => {
  await berth?.dispose();
}, 60_000);

test('the session is re-adopted after a restart and its terminal re-attaches', async () => {
  const socket = await connect(berth.url, ada.cookie);
  const term = new TermClient(socket, sessionId, 'box');
  await term.attach('box', 0);
  expect(await term.run('echo survived > /root/mark.txt; echo $$')).toMatch(/^\d+$/);
  const from = term.next;
  const before = await sessionObjects(berth.instance, sessionId);
  const containerId = (await docker.getContainer(before.containers[0].slice(1)).inspect()).Id;

  // An object labelled as this instance's that no session owns: reconcile must remove it.
  const orphan = await docker.createContainer({
    name: `berth-${berth.instance}-zzzzzzzzzzzz-box`,
    Image: 'berth-shell:latest',
    Labels: { [INSTANCE_LABEL]: berth.instance, [SESSION_LABEL]: 'zzzzzzzzzzzz' },
  });
  const disconnected = new Promise<string>((r) => socket.once('disconnect', (reason) => r(reason)));

  await berth.restart();
  expect(await disconnected).toBe('io server disconnect');
  socket.close();

  const row = berth.server.ctx.sessions.get(sessionId);
  expect(row?.state).toBe('running');
  const after = await sessionObjects(berth.instance, sessionId);
  expect(after).toEqual(before);
  expect((await docker.getContainer(after.containers[0].slice(1)).inspect()).Id).toBe(containerId);
  await expect(docker.getContainer(orphan.id).inspect()).rejects.toMatchObject({ statusCode: 404 });

  // Same cookie, same session over REST.
  const view = await api(berth.url, 'GET', `/api/sessions/${sessionId}`, { cookie: ada.cookie });
  expect(view.status).toBe(200);
  expect(view.json.session.state).toBe('running');

  // The page reconnects and re-attaches with the `from` it had: the new shell is behind it.
  const socket2 = await connect(berth.url, ada.cookie);
  expect(await ask(socket2, 'session:watch', { sessionId })).toEqual({ ok: true });
  const back = new TermClient(socket2, sessionId, 'box');
  back.base = from;
  expect(await back.attach('box', from)).toEqual({ ok: true, owner: true });
  expect(back.resets).toEqual([0]);
  expect(await back.run('cat /root/mark.txt')).toBe('survived');
  expect(back.gaps).toEqual([]);
  socket2.close();
}, 120_000);
