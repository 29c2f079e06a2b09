import { DockerBackend } from '../../server/docker/docker-backend';
import { newSessionId } from '../../server/sessions/session-id';
import type { BackendState } from '../../server/backend/lab-backend';
import { loadConfig } from '../../server/config';
import { detectProfile } from '../../server/docker/detect-profile';
import { connectDocker, LABEL } from '../../server/docker/engine';

/**
 * A lab started from the warm pool on the real engine. Adoption runs its
 * steps side by side (the session network is created while the machine is
 * renamed, limited and given its hostname; it leaves the pool network while it
 * joins the session's), so this checks what a student would notice if the
 * overlap went wrong: the machines' names, that they find each other by name,
 * that no machine is left on the pool network where other students' waiting
 * machines are, and that the pool fills again.
 */
jest.setTimeout(300_000);

const docker = connectDocker();
const instance = `it-warm-${Math.random().toString(36).slice(2, 8)}`;
const base = loadConfig({ ...process.env, BERTH_INSTANCE: instance });
const config = { ...base, warmPool: { ...base.warmPool, size: 2 } };
let backend: DockerBackend;
let state: BackendState | undefined;
const sessionId = newSessionId();

async function waitPool(ready: number): Promise<void> {
  for (let waited = 0; backend.poolStats().ready < ready; waited += 250) {
    if (waited > 120_000) throw new Error(`the warm pool did not reach ${ready} machines (it has ${backend.poolStats().ready})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  const { profile } = await detectProfile(docker, config);
  backend = new DockerBackend(docker, config, profile);
  await backend.warmUp();
  await waitPool(2);
});

afterAll(async () => {
  if (state) await backend.stop(state);
  await backend.removeEverything();
});

test('two machines adopted from the pool have their names, find each other, and are off the pool network', async () => {
  const pooled = await docker.listContainers({ filters: { label: [`${LABEL.instance}=${instance}`, `${LABEL.role}=pool`] } });
  const pooledIds = new Set(pooled.map((c) => c.Id));
  state = await backend.start({
    sessionId,
    labId: 'warm-test',
    studentId: 'tester',
    machines: [
      { name: 'node1', image: 'dind', docker: true, env: { LAB_ROLE: 'first' }, files: [] },
      { name: 'node2', image: 'dind', docker: true, env: { LAB_ROLE: 'second' }, files: [] },
    ],
  });
  const adoption = backend.lastAdoption;
  expect(adoption).not.toBeNull();

  for (const [machine, other, role] of [
    ['node1', 'node2', 'first'],
    ['node2', 'node1', 'second'],
  ] as const) {
    const r = await backend.exec(state, machine, `hostname; . /etc/profile.d/berth-lab.sh; echo "$LAB_ROLE"; getent hosts ${other} >/dev/null && echo found; docker info --format '{{.ServerVersion}}' >/dev/null && echo engine`, {
      timeoutMs: 30_000,
      outputCapBytes: 4096,
    });
    expect(r.stdout.trim().split('\n')).toEqual([machine, role, 'found', 'engine']);
  }

  const session = await docker.listContainers({ filters: { name: [`-${sessionId}-`] } });
  expect(session).toHaveLength(2);
  // Both came from the pool (the pool had two ready), so this measured adoption, not a cold start.
  expect(session.every((c) => pooledIds.has(c.Id))).toBe(true);
  for (const c of session) {
    const info = await docker.getContainer(c.Id).inspect();
    expect(Object.keys(info.NetworkSettings.Networks)).toEqual([`berth-${instance}-${sessionId}`]);
  }
  await waitPool(2);
});
