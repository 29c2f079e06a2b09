import { DockerBackend } from '../../server/docker/docker-backend';
import { newSessionId } from '../../server/sessions/session-id';
import type { BackendState } from '../../server/backend/lab-backend';
import { loadConfig } from '../../server/config';
import { detectProfile } from '../../server/docker/detect-profile';
import { connectDocker, LABEL } from '../../server/docker/engine';
import { runExec } from '../../server/docker/exec';
import { shellOutput } from './shell-output';

/**
 * Labs started from the warm pool on the real engine. Each waiting machine
 * has a network of its own. A lab of several machines: adoption runs its
 * steps side by side (the session network is created while the machines are
 * renamed, limited and given their hostnames; each leaves its own network
 * while it joins the session's), so this checks what a student would notice
 * if the overlap went wrong: the machines' names, that they find each other by
 * name, that no machine is left on a network of the pool, and that the pool
 * fills again. A lab of one machine takes the machine's own network as the
 * session's: no other machine is on it, a restart's clean-up keeps it while
 * the lab lives, and it goes with the lab.
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
  const spec = {
    sessionId,
    labId: 'warm-test',
    studentId: 'tester',
    machines: [
      { name: 'node1', image: 'dind', docker: true, env: { LAB_ROLE: 'first' }, files: [] },
      { name: 'node2', image: 'dind', docker: true, env: { LAB_ROLE: 'second' }, files: [], memoryBytes: 1024 ** 3 },
    ],
  };
  // Claimed ahead (as the session manager does, so a warm start skips the queue of cold ones), adopted by start.
  expect(backend.claimWarm(spec)).toBe(true);
  expect(backend.poolStats().ready).toBe(0);
  expect(backend.claimWarm({ ...spec, sessionId: newSessionId() })).toBe(false);
  state = await backend.start(spec);
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
    // The lab's own limit where it asks for one; the default (what the machine waited with) elsewhere.
    expect(info.HostConfig.Memory).toBe(info.Name.endsWith('-node2') ? 1024 ** 3 : config.docker.limits.machineMemoryBytes);
  }
  await waitPool(2);
  // The machines' own networks went once they had left them.
  for (const id of pooledIds) {
    const name = pooled.find((c) => c.Id === id)!.Names[0]!.slice(1);
    for (let waited = 0; (await docker.listNetworks({ filters: { name: [name] } })).some((n) => n.Name === name); waited += 250) {
      if (waited > 10_000) throw new Error(`the pool machine's own network ${name} is still there`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  await backend.stop(state);
  state = undefined;
});

test("a lab of one machine takes the waiting machine's own network: nothing else is on it, it survives a restart's clean-up and goes with the lab", async () => {
  await waitPool(2);
  const soloSession = newSessionId();
  const pooled = await docker.listContainers({ filters: { label: [`${LABEL.instance}=${instance}`, `${LABEL.role}=pool`] } });
  state = await backend.start({
    sessionId: soloSession,
    labId: 'warm-solo',
    studentId: 'tester',
    machines: [{ name: 'docker', image: 'dind', docker: true, env: { LAB_ROLE: 'solo' }, files: [] }],
  });
  expect(backend.lastAdoption?.network).toBe(0);
  const [machine] = await docker.listContainers({ filters: { name: [`-${soloSession}-`] } });
  expect(pooled.some((c) => c.Id === machine!.Id)).toBe(true);
  // The network it was made with, named as it was in the pool.
  const network = pooled.find((c) => c.Id === machine!.Id)!.Names[0]!.slice(1);
  expect(network).toMatch(new RegExp(`^berth-${instance}-pool-`));
  expect(Object.keys(machine!.NetworkSettings.Networks)).toEqual([network]);
  // No other machine (the next waiting one included) shares it.
  const members = Object.keys((await docker.getNetwork(network).inspect()).Containers ?? {});
  expect(members).toEqual([machine!.Id]);

  const r = await backend.exec(state, 'docker', 'hostname; . /etc/profile.d/berth-lab.sh; echo "$LAB_ROLE"; getent hosts docker >/dev/null && echo found; docker info --format "{{.ServerVersion}}" >/dev/null && echo engine', { timeoutMs: 30_000, outputCapBytes: 4096 });
  expect(r.stdout.trim().split('\n')).toEqual(['docker', 'solo', 'found', 'engine']);
  // /etc/hosts was rewritten in place, line for line: its own line names it as the lab does, and the pool's name is gone.
  const hosts = (await backend.exec(state, 'docker', 'cat /etc/hosts', { timeoutMs: 10_000, outputCapBytes: 8192 })).stdout;
  expect(hosts).not.toMatch(/pool-/);
  expect(hosts).toMatch(/^\d+\.\d+\.\d+\.\d+\tdocker$/m);
  expect(hosts).toMatch(/^127\.0\.0\.1\tlocalhost\n/);
  expect(hosts.endsWith('\n')).toBe(true);
  // The main shell was opened during adoption (it set the hostname and env before bash started) and is
  // handed to the first terminal: its prompt, already printed, is not lost, and it takes the page's size.
  const shells = async () => (await backend.exec(state!, 'docker', 'ls /run/berth | grep -c "^shell-"', { timeoutMs: 10_000, outputCapBytes: 1024 })).stdout.trim();
  expect(await shells()).toBe('1');
  const shell = await backend.openShell(state, 'docker', { cols: 101, rows: 31 });
  expect(await shells()).toBe('1'); // the one opened ahead, not a second
  const { seen } = shellOutput(shell);
  await seen(/root@docker[^\n]*[#$] $/);
  shell.write('echo "$LAB_ROLE-$(stty size)"\r');
  await seen(/solo-31 101/);
  await shell.close();
  // A published port is reached on the session network.
  expect((await backend.endpoint(state, 'docker', 80)).host).toMatch(/^\d+\.\d+\.\d+\.\d+$/);

  // A restart's clean-up keeps a live lab's network, though it carries no session label.
  await backend.removeOrphans(new Set([soloSession]));
  expect((await docker.listNetworks({ filters: { name: [network] } })).map((n) => n.Name)).toContain(network);
  expect((await docker.getContainer(machine!.Id).inspect()).State.Running).toBe(true);

  await backend.stop(state);
  state = undefined;
  expect((await docker.listNetworks({ filters: { name: [network] } })).filter((n) => n.Name === network)).toEqual([]);
});

/** Execs the engine created in a container between two moments (docker events). */
async function execsCreated(containerId: string, since: number, until: number): Promise<string[]> {
  const stream = (await docker.getEvents({ since: Math.floor(since / 1000), until: Math.ceil(until / 1000) + 1, filters: { type: ['container'], event: ['exec_create'], container: [containerId] } })) as unknown as NodeJS.ReadableStream;
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { Action: string }).Action);
}

test('a waiting machine holds its main shell: adoption runs no exec, and the lab env, longer than a tty line, arrives whole', async () => {
  await waitPool(2);
  const soloSession = newSessionId();
  const long = 'x'.repeat(6000);
  const before = Date.now();
  state = await backend.start({
    sessionId: soloSession,
    labId: 'warm-solo',
    studentId: 'tester',
    machines: [{ name: 'docker', image: 'dind', docker: true, env: { LAB_ROLE: 'waited', LONG: long, TRICKY: 'a\rb\x03c\x16d\x13e' }, files: [] }],
  });
  const after = Date.now();
  const [machine] = await docker.listContainers({ filters: { name: [`-${soloSession}-`] } });
  expect(await execsCreated(machine!.Id, before, after)).toEqual([]);

  const shell = await backend.openShell(state, 'docker', { cols: 90, rows: 20 });
  const { seen } = shellOutput(shell);
  await seen(/root@docker[^\n]*[#$] $/);
  shell.write('echo "$LAB_ROLE-${#LONG}-${#TRICKY}-$(stty size)-$(stty -a | grep -o -- "-\\?icanon" | head -1)"\r');
  // Every byte as sent (a CR, ^C, ^V, ^S among them), and the shell the student got echoes and reads lines
  // again, whatever its wait set.
  await seen(/waited-6000-9-20 90-icanon/);
  await shell.close();
  await backend.stop(state);
  state = undefined;
});

test("an env value holding the waiting shell's end line still reaches the student whole: adoption opens a fresh shell and ends the waiting one", async () => {
  await waitPool(2);
  const soloSession = newSessionId();
  state = await backend.start({
    sessionId: soloSession,
    labId: 'warm-solo',
    studentId: 'tester',
    machines: [{ name: 'docker', image: 'dind', docker: true, env: { ODD: 'x\nBERTH-SETUP-END\ny' }, files: [] }],
  });
  const shell = await backend.openShell(state, 'docker', { cols: 90, rows: 20 });
  const { seen } = shellOutput(shell);
  await seen(/root@docker[^\n]*[#$] $/);
  // 19 characters, and no waiting shell left behind (it was told to end).
  shell.write('echo "odd-${#ODD}-$(pgrep -c -f BERTH-SHELL-WAITIN[G])"\r');
  await seen(/odd-19-0/);
  await shell.close();
  await backend.stop(state);
  state = undefined;
});

test("a restarted Berth keeps the waiting machines, ends the shells the last run left in them and opens its own", async () => {
  await waitPool(2);
  const waiting = async () => {
    const pooled = await docker.listContainers({ filters: { label: [`${LABEL.instance}=${instance}`, `${LABEL.role}=pool`] } });
    return Promise.all(
      pooled.map(async (c) => {
        // The bracket keeps pgrep from counting the shell that runs it.
        const r = await runExec(docker.getContainer(c.Id), ['sh', '-c', "pgrep -c -f 'BERTH-SHELL-WAITIN[G]'"], { timeoutMs: 10_000, outputCapBytes: 1024 });
        return r.stdout.trim();
      }),
    );
  };
  expect(await waiting()).toEqual(['1', '1']);
  const { profile } = await detectProfile(docker, config);
  const restarted = new DockerBackend(docker, config, profile);
  await restarted.warmUp();
  expect(restarted.poolStats().ready).toBe(2);
  // One each: the earlier run's (its connection is gone, it would wait for ever) ended, the new one waiting.
  expect(await waiting()).toEqual(['1', '1']);
  await restarted.shutdown();
});
