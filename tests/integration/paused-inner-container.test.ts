/**
 * A student who `docker pause`s a container inside their lab machine must not
 * make the machine impossible to stop or remove: under cgroup v1 a frozen
 * process never receives SIGKILL, and `docker rm -f` of the machine failed
 * ("did not receive an exit event"), leaking the session's objects.
 */
import { join, sessionObjects, startBerth, startLab, waitState, type Berth, type Student } from '../contract/harness';

jest.setTimeout(180_000);

let berth: Berth;
let ada: Student;

beforeAll(async () => {
  berth = await startBerth('rt-frozen');
  ada = await join(berth.url, 'Ada');
});

afterAll(async () => {
  await berth?.dispose();
});

async function pauseInside(sessionId: string, name: string): Promise<void> {
  const row = berth.server.ctx.sessions.get(sessionId)!;
  // The pull from the classroom mirror is retried: CI runs this beside busy suites, and a
  // pull that times out once is not what this test is about.
  const out = await berth.server.ctx.backend.exec(
    row.backendState as never,
    'docker',
    `for i in 1 2 3; do docker image inspect alpine >/dev/null 2>&1 || docker pull -q alpine >/dev/null || sleep 2; done; ` +
      `docker run -d --name ${name} alpine sleep 1d >/dev/null && docker pause ${name} >/dev/null && docker inspect -f '{{.State.Status}}' ${name}`,
    { timeoutMs: 90_000, outputCapBytes: 8192 },
  );
  if (out.stdout.trim() !== 'paused') {
    throw new Error(`could not freeze a container in the machine (exit ${out.exitCode}): ${out.stderr.trim()}`);
  }
}

test('a lab whose machine holds a paused container pauses (idle) and ends without leaking anything', async () => {
  const sessionId = await startLab(berth, ada, 'hello');
  await waitState(berth, sessionId, 'running');
  await pauseInside(sessionId, 'frozen1');

  // Idle pause stops the machine: it must stop, not hang.
  expect((await berth.server.ctx.sessions.pause(sessionId)).state).toBe('paused');
  // Resume, freeze again, and end the lab: every object of the session goes.
  await berth.server.ctx.sessions.resume(sessionId);
  await waitState(berth, sessionId, 'running');
  await pauseInside(sessionId, 'frozen2');
  const ended = await berth.server.ctx.sessions.stop(sessionId);
  expect(ended.state).toBe('ended');
  const left = await sessionObjects(berth.instance, sessionId);
  expect(left.containers).toEqual([]);
  expect(left.networks).toEqual([]);
  expect(left.volumes).toEqual([]);
});
