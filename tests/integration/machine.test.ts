import { DockerBackend } from '../../server/docker/docker-backend';
import { newSessionId } from '../../server/sessions/session-id';
import type { BackendState } from '../../server/backend/lab-backend';
import { loadConfig } from '../../server/config';
import { runDoctor } from '../../server/docker/doctor';
import { detectProfile } from '../../server/docker/detect-profile';
import { connectDocker, LABEL } from '../../server/docker/engine';
import { shellOutput } from './shell-output';

/**
 * The foundation on the real engine: a lab machine under the detected
 * isolation profile runs its own Docker, pulls through the classroom mirror,
 * runs Compose, and leaves nothing behind when removed.
 */
jest.setTimeout(300_000);

const docker = connectDocker();
const instance = `it-machine-${Math.random().toString(36).slice(2, 8)}`;
const config = { ...loadConfig({ ...process.env, BERTH_INSTANCE: instance }), warmPool: { size: 0 } };
let backend: DockerBackend;
let state: BackendState;
const sessionId = newSessionId();

async function sh(script: string, timeoutMs = 120_000) {
  return backend.exec(state, 'docker', script, { timeoutMs, outputCapBytes: 256 * 1024 });
}

beforeAll(async () => {
  const { profile } = await detectProfile(docker, config);
  backend = new DockerBackend(docker, config, profile);
  state = await backend.start({
    sessionId,
    labId: 'machine-test',
    studentId: 'tester',
    machines: [{ name: 'docker', image: 'dind', docker: true, env: { LAB_GREETING: 'hi there' }, files: [] }],
  });
});

afterAll(async () => {
  if (state) await backend.stop(state);
  await backend.shutdown();
});

test('the inner Docker engine is ready and the machine has the lab hostname and environment', async () => {
  const r = await sh('docker info --format "{{.ServerVersion}} {{.Driver}}"; hostname; echo "$LAB_GREETING"');
  expect(r.exitCode).toBe(0);
  const [version, name, greeting] = r.stdout.trim().split('\n');
  expect(version).toMatch(/^\d+\.\d+.* overlay2$/);
  expect(name).toBe('docker');
  expect(greeting).toBe('hi there');
});

test('a client of the socket berth-socket-activate opened before its server started waits, and is answered once the server runs', async () => {
  // The machine is handed over when Docker's socket listens, before its dockerd runs: this is the
  // helper that makes a docker command typed then wait instead of fail. The stand-in server here
  // answers one request on the socket it was handed (fd 3) with what it was told.
  const server = `use Socket; open(my $l, "+<&=", 3) or die "no fd 3"; accept(my $c, $l) or die "accept: $!"; my $body = "fds=$ENV{LISTEN_FDS} pid-matches=" . ($ENV{LISTEN_PID} == $$ ? "yes" : "no"); syswrite($c, "HTTP/1.0 200 OK\\r\\nContent-Length: " . length($body) . "\\r\\n\\r\\n$body");`;
  const r = await sh(
    [
      'rm -f /tmp/go /tmp/q.sock /tmp/answer',
      `berth-socket-activate /tmp/q.sock /tmp/go -- perl -e '${server}' &`,
      'for i in $(seq 1 200); do [ -S /tmp/q.sock ] && break; sleep 0.01; done',
      'curl -s --max-time 20 --unix-socket /tmp/q.sock http://machine/ > /tmp/answer & client=$!',
      'sleep 0.5',
      'kill -0 $client 2>/dev/null && echo "client waiting"',
      ': > /tmp/go',
      'wait $client; echo " answer: $(cat /tmp/answer)"',
      'rm -f /tmp/go /tmp/q.sock /tmp/answer',
    ].join('\n'),
    30_000,
  );
  expect(r.stdout).toBe('client waiting\n answer: fds=1 pid-matches=yes\n');
});

test('machines of a lab of several defer their dockerd to its first use, and a docker command then starts it and is answered', async () => {
  const pair = await backend.start({
    sessionId: newSessionId(),
    labId: 'machine-test-pair',
    studentId: 'tester',
    machines: ['left', 'right'].map((name) => ({ name, image: 'dind', docker: true, env: {}, files: [] })),
  });
  try {
    const run = (machine: string, script: string) => backend.exec(pair, machine, script, { timeoutMs: 60_000, outputCapBytes: 64 * 1024 });
    for (const machine of ['left', 'right']) {
      const id = (pair as unknown as { machines: Array<{ name: string; containerId: string }> }).machines.find((m) => m.name === machine)!.containerId;
      expect((await docker.getContainer(id).inspect()).Config.Env).toContain('BERTH_DOCKERD=when-used:60');
    }
    // Nothing has used Docker on "left" yet: its daemons wait (the fallback start is 20 s away).
    const before = await run('left', 'pgrep -x containerd >/dev/null && echo containerd; pgrep -x dockerd >/dev/null && echo dockerd; test -e /run/berth/docker-ready && echo ready; echo checked');
    expect(before.stdout).toBe('checked\n');
    const used = await run('left', 'docker info --format "{{.ServerVersion}}" && test -e /run/berth/docker-ready && echo ready');
    expect(used.exitCode).toBe(0);
    expect(used.stdout).toMatch(/^\d+\.\d+.*\nready\n$/);
  } finally {
    await backend.stop(pair);
  }
});

test("the main shell, opened while the machine started, has the lab's env, prompt and Tab completion of docker's commands", async () => {
  const shell = await backend.openShell(state, 'docker', { cols: 90, rows: 25 });
  const { seen } = shellOutput(shell);
  try {
    await seen(/root@docker[^\n]*[#$] $/); // printed before anyone listened: kept, not lost
    shell.write('echo "[$LAB_GREETING] $(stty size)"\r');
    await seen(/\[hi there\] 25 90/);
    // bash-completion is read on the first Tab (not at every shell's start); that first Tab completes too.
    shell.write('docker conta\t');
    await seen(/docker container $/);
  } finally {
    await shell.close();
  }
});

test('docker pull nginx is served by the registry mirror, and docker run works', async () => {
  const pull = await sh('docker pull nginx 2>&1 && docker run --rm alpine echo inner-ok');
  expect(pull.stdout).toContain('inner-ok');
  expect(pull.exitCode).toBe(0);
  const info = await sh('docker info --format "{{json .RegistryConfig.Mirrors}}"');
  expect(info.stdout).toContain(config.docker.registryMirror.replace(/\/$/, ''));
});

test('docker compose up brings up a two-service app inside the machine', async () => {
  const compose = [
    'mkdir -p /root/app && cd /root/app',
    "printf 'services:\\n  web:\\n    image: nginx\\n    ports: [\"8080:80\"]\\n  cache:\\n    image: redis\\n' > compose.yaml",
    'docker compose up -d 2>&1',
    'for i in $(seq 1 50); do curl -fsS localhost:8080 >/dev/null 2>&1 && break; sleep 0.2; done',
    'curl -fsS localhost:8080 | grep -o "Welcome to nginx"',
    'docker compose ps --format "{{.Service}} {{.State}}" | sort',
  ].join('\n');
  const r = await sh(compose);
  expect(r.exitCode).toBe(0);
  expect(r.stdout).toContain('Welcome to nginx');
  expect(r.stdout).toMatch(/cache running\s+web running/);
});

test('inner containers are confined by the machine cgroup (memory limit applies to them)', async () => {
  // With the host cgroup namespace, inner containers must nest under the machine's cgroup.
  const r = await sh('docker run -d --name sleeper alpine sleep 300 >/dev/null && cat /proc/$(docker inspect -f "{{.State.Pid}}" sleeper)/cgroup | grep memory; docker rm -f sleeper >/dev/null');
  expect(r.exitCode).toBe(0);
  const own = await sh("awk -F: '$2==\"memory\"{print $3}' /proc/1/cgroup");
  const machineCgroup = own.stdout.trim();
  if (machineCgroup !== '/') expect(r.stdout).toContain(machineCgroup);
});

test('removing the session leaves no container, network or volume behind', async () => {
  await backend.stop(state);
  const filters = { label: [`${LABEL.instance}=${instance}`] };
  expect(await docker.listContainers({ all: true, filters })).toEqual([]);
  expect((await docker.listNetworks({ filters })).map((n) => n.Name)).toEqual([]);
  expect(((await docker.listVolumes({ filters })).Volumes ?? []).map((v) => v.Name)).toEqual([]);
});

test('berth doctor recommends a profile that runs Docker inside, and says why privileged was not chosen', async () => {
  const report = await runDoctor(docker, config);
  const privileged = report.probes.find((p) => p.name === 'privileged container');
  expect(report.recommended).not.toBeNull();
  if (privileged && !privileged.ok) {
    expect(report.recommended).not.toBe('privileged');
    expect(report.reason).toContain('privileged containers are refused');
  }
  const inside = report.probes.find((p) => p.name.startsWith('Docker inside a lab machine') && p.ok);
  expect(inside?.name).toContain(report.recommended!);
});
