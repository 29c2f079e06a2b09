import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { DockerBackend } from '../../server/docker/docker-backend';
import { newSessionId } from '../../server/sessions/session-id';
import type { BackendState } from '../../server/backend/lab-backend';
import { loadConfig } from '../../server/config';
import { detectProfile } from '../../server/docker/detect-profile';
import { connectDocker } from '../../server/docker/engine';
import { mirrorProbe, mirrorStatus } from '../../server/ops/mirror-status';
import { labImages } from '../../server/ops/lab-images';
import { MirrorClient } from '../../server/ops/prefetch';
import fs from 'node:fs';
import os from 'node:os';
import { freePort } from '../contract/harness';

/**
 * The classroom mirror when the internet is gone: it starts with its upstream
 * unreachable (CI has no internet, and here the upstream is a local registry
 * that is not running yet), serves what it cached read-only, pulls through
 * again when the upstream returns, and a lab machine pulls from its cache
 * after the upstream disappears again. The "upstream" is the same image as a
 * plain registry, seeded with the busybox stand-in from tests/mirror/seed.sh.
 */
jest.setTimeout(300_000);

const run = promisify(execFile);
const docker = connectDocker();
const tag = `${Math.random().toString(36).slice(2, 8)}`;
const IMAGE = 'berth-mirror:offline-test';
const names = { mirror: `berth-test-mirror-${tag}`, upstream: `berth-test-upstream-${tag}`, volume: `berth-test-mirror-${tag}` };
let mirrorPort = 0;
let upstreamPort = 0;
let backend: DockerBackend | undefined;
let state: BackendState | undefined;

async function waitUntil<T>(what: string, probe: () => Promise<T | undefined | false>): Promise<T> {
  let last: unknown;
  for (let i = 0; i < 600; i++) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`gave up waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

const mirrorUrl = () => `http://127.0.0.1:${mirrorPort}`;
const modeIs = (mode: string) => waitUntil(`mirror mode ${mode}`, async () => (await mirrorStatus(mirrorUrl())).mode === mode);

/** The stand-in upstream: the same image as a plain registry. */
async function startRegistry(name: string, port: number, env: string[]): Promise<void> {
  const c = await docker.createContainer({
    name,
    Image: IMAGE,
    Env: [`REGISTRY_HTTP_ADDR=127.0.0.1:${port}`, ...env],
    HostConfig: { NetworkMode: 'host' },
  });
  await c.start();
}

async function removeContainer(name: string): Promise<void> {
  await docker.getContainer(name).remove({ force: true }).catch(() => undefined);
}

beforeAll(async () => {
  // The image under test is this checkout's images/mirror, whatever `latest` is on this host.
  await run('docker', ['build', '-q', '-t', IMAGE, path.join(__dirname, '..', '..', 'images', 'mirror')], { maxBuffer: 1 << 24 });
  [mirrorPort, upstreamPort] = [await freePort(), await freePort()];
  await docker.createVolume({ Name: names.volume });
});

afterAll(async () => {
  if (backend && state) await backend.stop(state).catch(() => undefined);
  await backend?.shutdown();
  await removeContainer(names.mirror);
  await removeContainer(names.upstream);
  await docker.getVolume(names.volume).remove().catch(() => undefined);
});

test('with the upstream unreachable the mirror starts, keeps running and says it serves its cache read-only', async () => {
  // The mirror listens on the host's addresses so lab machines reach it at host.docker.internal.
  await docker.createContainer({
    name: names.mirror,
    Image: IMAGE,
    Env: [`REGISTRY_HTTP_ADDR=:${mirrorPort}`, `REGISTRY_PROXY_REMOTEURL=http://127.0.0.1:${upstreamPort}`, 'MIRROR_PROBE_SECONDS=1', 'MIRROR_DOWN_AFTER=1'],
    HostConfig: { NetworkMode: 'host', Binds: [`${names.volume}:/var/lib/docker-registry`] },
  }).then((c) => c.start());
  await modeIs('cache-only');
  // Several probe rounds later it is the same process, not a restart loop.
  await new Promise((r) => setTimeout(r, 3000));
  const info = await docker.getContainer(names.mirror).inspect();
  expect(info.State.Running).toBe(true);
  expect(info.RestartCount).toBe(0);
  const status = await mirrorStatus(mirrorUrl());
  expect(status).toMatchObject({ reachable: true, mode: 'cache-only' });
  // Read-only: nobody pushes into or deletes from the class's cache.
  const push = await fetch(`${mirrorUrl()}/v2/library/busybox/blobs/uploads/`, { method: 'POST' });
  expect(push.status).toBe(405);
});

test('when the upstream answers it pulls through, and a lab machine pulls the image', async () => {
  await startRegistry(names.upstream, upstreamPort, []);
  // Seed the upstream with the stand-in busybox that tests/mirror/seed.sh put in the CI mirror.
  await waitUntil('the upstream registry', async () => (await fetch(`http://127.0.0.1:${upstreamPort}/v2/`)).ok);
  for (const name of ['busybox', 'alpine']) {
    const ref = `127.0.0.1:${upstreamPort}/library/${name}:latest`;
    await run('docker', ['tag', `localhost:5000/library/${name}:latest`, ref]);
    await run('docker', ['push', '-q', ref]);
    await run('docker', ['rmi', ref]);
  }
  await modeIs('proxy');
  const push = await fetch(`${mirrorUrl()}/v2/library/busybox/blobs/uploads/`, { method: 'POST' });
  expect(push.status).not.toBe(202); // a cache, not a push target

  const instance = `it-mirror-${tag}`;
  const config = {
    ...loadConfig({ ...process.env, BERTH_INSTANCE: instance, BERTH_REGISTRY_MIRROR: `http://host.docker.internal:${mirrorPort}` }),
    warmPool: { size: 0 },
  };
  const { profile } = await detectProfile(docker, config);
  backend = new DockerBackend(docker, config, profile);
  state = await backend.start({
    sessionId: newSessionId(),
    labId: 'mirror-test',
    studentId: 'tester',
    machines: [{ name: 'docker', image: 'dind', docker: true, env: {}, files: [] }],
  });
  const pull = await backend.exec(state, 'docker', 'docker pull busybox 2>&1 && docker run --rm busybox echo pulled-ok', {
    timeoutMs: 120_000,
    outputCapBytes: 64 * 1024,
  });
  expect(pull.stdout).toContain('pulled-ok');
  expect((await mirrorStatus(mirrorUrl())).repositories.map((r) => r.name)).toContain('library/busybox');
});

test('berth images prefetch fills the mirror with the images a lab uses, read from its files', async () => {
  const labDir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-prefetch-'));
  try {
    fs.writeFileSync(path.join(labDir, 'lab.md'), '---\nid: p\nmachines:\n  - name: docker\n    image: dind\n---\n```run\ndocker run --rm alpine echo hi\n```\n');
    const refs = labImages(labDir);
    expect(refs.map((r) => r.name)).toEqual(['alpine']);
    const seen: number[] = [];
    const result = await new MirrorClient(mirrorUrl()).prefetch(refs[0], (p) => seen.push(p.blobsDone));
    expect(result).toMatchObject({ image: 'alpine:latest', ok: true });
    expect(seen[seen.length - 1]).toBe(result.blobs);
    // The registry stores a proxied blob in a goroutine of its own, behind the stream it serves, and its
    // catalog walks the storage as it is being written: the image is listed moments after the client has it.
    // (In CI once, at 710d9d0, the first listing right after the prefetch showed only busybox.)
    await waitUntil('alpine:latest in the mirror\'s catalog', async () =>
      (await mirrorStatus(mirrorUrl())).repositories.some((r) => r.name === 'library/alpine' && r.tags.includes('latest')),
    );
  } finally {
    fs.rmSync(labDir, { recursive: true, force: true });
  }
});

test('with the upstream gone again, and after a restart of the mirror, the lab machine pulls from the cache', async () => {
  await removeContainer(names.upstream);
  await modeIs('cache-only');
  await docker.getContainer(names.mirror).restart({ t: 5 });
  await modeIs('cache-only');
  const pull = await backend!.exec(state!, 'docker', 'docker rmi -f busybox >/dev/null; docker pull busybox 2>&1 && docker run --rm busybox echo cached-ok', {
    timeoutMs: 120_000,
    outputCapBytes: 64 * 1024,
  });
  expect(pull.stdout).toContain('cached-ok');
  // Prefetched, never pulled by a machine before: there for the class with the internet gone.
  const prefetched = await backend!.exec(state!, 'docker', 'docker run --rm alpine echo prefetched-ok 2>&1', { timeoutMs: 120_000, outputCapBytes: 64 * 1024 });
  expect(prefetched.stdout).toContain('prefetched-ok');
  // An image it never cached fails with the registry's answer, and the mirror stays up.
  const missing = await backend!.exec(state!, 'docker', 'docker pull redis:7 2>&1', { timeoutMs: 120_000, outputCapBytes: 64 * 1024 });
  expect(missing.exitCode).not.toBe(0);
  expect((await docker.getContainer(names.mirror).inspect()).State.Running).toBe(true);
  // berth doctor's line says it in words, with what is cached.
  const probe = await mirrorProbe(loadConfig({ ...process.env, BERTH_REGISTRY_MIRROR: `http://host.docker.internal:${mirrorPort}` }));
  expect(probe.detail).toMatch(/cache-only: upstream unreachable/);
  expect(probe.detail).toMatch(/busybox:latest/);
});
