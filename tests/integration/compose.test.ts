/**
 * CI check for docker-compose.yml: a real Compose implementation builds and
 * starts Berth and the registry mirror against the host engine, Berth answers
 * on its port, `berth doctor` inside the container sees the engine, and
 * `compose down -v` leaves nothing of the project behind.
 *
 * Compose is `docker compose` (v2) from the lab machine image, run against the
 * host's socket with the repository mounted at the same path (so relative build
 * contexts resolve). Ports and names differ from a teacher's defaults so the
 * CI's own mirror container (`berth-mirror` on port 5000) is left alone:
 * Berth on 18080, the project's mirror on 15000 as its own image tag.
 *
 * The first build of berth:latest is slow on 2 cores (apt, npm ci, native
 * better-sqlite3, vite); later runs reuse the layer cache.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

jest.setTimeout(25 * 60_000);

const repo = path.resolve(__dirname, '../..');
const project = 'berth-ci';
const berthPort = 18080;
const mirrorPort = 15000;
const instance = 'compose-ci';
const mirrorImage = 'berth-ci-mirror:latest';
const composeImage = process.env.BERTH_IMAGE_DIND || 'berth-dind:latest';

interface Result {
  code: number;
  out: string;
}

function run(cmd: string, args: string[], timeoutMs: number, env: NodeJS.ProcessEnv = process.env): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, out });
    });
  });
}

/** Locally added CA certificates (Debian's place for them), for networks that intercept TLS to npm. */
function extraCaCerts(): string {
  if (process.env.BERTH_BUILD_CA_CERTS) return process.env.BERTH_BUILD_CA_CERTS;
  const dir = '/usr/local/share/ca-certificates';
  if (!fs.existsSync(dir)) return '';
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.crt')) files.push(p);
    }
  };
  walk(dir);
  return files
    .sort()
    .map((f) => fs.readFileSync(f, 'utf8').trim())
    .join('\n');
}

const composeEnv: Record<string, string> = {
  BERTH_PORT: String(berthPort),
  BERTH_MIRROR_PORT: String(mirrorPort),
  // Empty: a plain registry, not a pull-through cache (there is no Docker Hub here).
  BERTH_MIRROR_UPSTREAM: '',
  BERTH_IMAGE_MIRROR: mirrorImage,
  BERTH_INSTANCE: instance,
  BERTH_WARM_POOL: '0',
  BERTH_BUILD_CA_CERTS: extraCaCerts(),
};

/** `docker compose -p berth-ci ...` from the lab machine image against the host engine. */
function compose(args: string[], timeoutMs: number): Promise<Result> {
  const envArgs = Object.keys(composeEnv).flatMap((k) => ['-e', k]);
  return run(
    'docker',
    [
      'run', '--rm',
      '-v', '/var/run/docker.sock:/var/run/docker.sock',
      '-v', `${repo}:${repo}`,
      '-w', repo,
      ...envArgs,
      '--entrypoint', 'docker',
      composeImage,
      'compose', '-p', project, ...args,
    ],
    timeoutMs,
    { ...process.env, ...composeEnv },
  );
}

async function docker(args: string[], timeoutMs = 60_000): Promise<Result> {
  return run('docker', args, timeoutMs);
}

async function lines(args: string[]): Promise<string[]> {
  const r = await docker(args);
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')}: ${r.out}`);
  return r.out.split('\n').map((l) => l.trim()).filter(Boolean);
}

/** Everything of the compose project, and anything Berth made under the CI instance id. */
async function leftovers(): Promise<string[]> {
  const found: string[] = [];
  for (const filter of [`label=com.docker.compose.project=${project}`, `label=io.berth.instance=${instance}`]) {
    found.push(...(await lines(['ps', '-aq', '--filter', filter])).map((id) => `container ${id}`));
    found.push(...(await lines(['volume', 'ls', '-q', '--filter', filter])).map((n) => `volume ${n}`));
    found.push(...(await lines(['network', 'ls', '-q', '--filter', filter])).map((n) => `network ${n}`));
  }
  return found;
}

async function cleanUp(): Promise<void> {
  await compose(['down', '-v', '--remove-orphans', '--timeout', '10'], 180_000).catch(() => undefined);
  for (const filter of [`label=com.docker.compose.project=${project}`, `label=io.berth.instance=${instance}`]) {
    const containers = await lines(['ps', '-aq', '--filter', filter]).catch(() => []);
    if (containers.length) await docker(['rm', '-fv', ...containers]);
    const networks = await lines(['network', 'ls', '-q', '--filter', filter]).catch(() => []);
    if (networks.length) await docker(['network', 'rm', ...networks]);
    const volumes = await lines(['volume', 'ls', '-q', '--filter', filter]).catch(() => []);
    if (volumes.length) await docker(['volume', 'rm', '-f', ...volumes]);
  }
}

async function waitForHealth(url: string, timeoutMs: number): Promise<{ ok: boolean; isolation?: string }> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
      if (res.ok) return (await res.json()) as { ok: boolean; isolation?: string };
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s (${last})`);
}

/** berth:latest before this run: once the build replaces it, the old image is left untagged. */
let previousBerthImage = '';

beforeAll(async () => {
  previousBerthImage = (await docker(['image', 'inspect', '-f', '{{.Id}}', 'berth:latest'])).out.trim();
  const present = await docker(['image', 'inspect', composeImage]);
  if (present.code !== 0) throw new Error(`${composeImage} is missing: run \`berth images build\` first (it carries docker compose)`);
  await cleanUp();
});

afterAll(async () => {
  await cleanUp();
  // The project's mirror image is a CI-only tag; berth:latest is kept for the next run's cache.
  await docker(['image', 'rm', mirrorImage]);
  const current = (await docker(['image', 'inspect', '-f', '{{.Id}}', 'berth:latest'])).out.trim();
  if (previousBerthImage.startsWith('sha256:') && current !== previousBerthImage) await docker(['image', 'rm', previousBerthImage]);
});

test('docker compose builds and serves Berth with its mirror, and down -v leaves nothing', async () => {
  const t0 = Date.now();
  const up = await compose(['up', '-d', '--build'], 22 * 60_000);
  if (up.code !== 0) throw new Error(`compose up failed (${up.code}):\n${up.out.slice(-6000)}`);
  console.log(`compose up --build: ${((Date.now() - t0) / 1000).toFixed(0)} s`);

  const [berth] = await lines(['ps', '-q', '--filter', `label=com.docker.compose.project=${project}`, '--filter', 'label=com.docker.compose.service=berth']);
  expect(berth).toBeTruthy();

  let health: { ok: boolean; isolation?: string };
  try {
    health = await waitForHealth(`http://127.0.0.1:${berthPort}/api/health`, 5 * 60_000);
  } catch (err) {
    const logs = await docker(['logs', '--tail', '50', berth]);
    throw new Error(`${err instanceof Error ? err.message : String(err)}\nberth logs:\n${logs.out}`, { cause: err });
  }
  expect(health.ok).toBe(true);

  // The project's mirror is a plain registry (empty upstream) on its own port.
  const registry = await fetch(`http://127.0.0.1:${mirrorPort}/v2/`, { signal: AbortSignal.timeout(5000) });
  expect(registry.status).toBe(200);

  // Berth is told where the mirror is for lab machines.
  const env = await docker(['inspect', '-f', '{{range .Config.Env}}{{println .}}{{end}}', berth]);
  expect(env.out).toContain(`BERTH_REGISTRY_MIRROR=http://host.docker.internal:${mirrorPort}`);

  const engine = (await docker(['version', '--format', '{{.Server.Version}}'])).out.trim();
  const doctor = await docker(['exec', berth, 'node', 'dist/server/cli.js', 'doctor'], 5 * 60_000);
  expect({ code: doctor.code, out: doctor.out }).toEqual({ code: 0, out: expect.stringContaining(engine) });
  expect(doctor.out).toMatch(/Recommended isolation profile: (privileged|sysbox|caps)/);

  const down = await compose(['down', '-v', '--remove-orphans', '--timeout', '10'], 180_000);
  expect(down.code).toBe(0);
  expect(await leftovers()).toEqual([]);
});
