/**
 * The classroom registry mirror (images/mirror) must refuse deletes in every
 * mode, as it refuses pushes when it is a cache: one student deleting a
 * manifest or blob would break every pull of that image for the class. The
 * three modes are tried: a plain registry (no upstream), a pull-through cache
 * (upstream up) and the read-only cache (upstream down). A control registry
 * with deletes switched on answers the same requests 202, so the probes are
 * real deletes, not malformed requests refused for another reason.
 */
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { connectDocker } from '../../server/docker/engine';
import { mirrorStatus } from '../../server/ops/mirror-status';
import { freePort, waitFor } from '../contract/harness';

jest.setTimeout(180_000);

const run = promisify(execFile);
const docker = connectDocker();
const tag = crypto.randomBytes(3).toString('hex');
const IMAGE = 'berth-mirror:delete-test';
const REPO = 'library/deleteme';
const started: string[] = [];

/** Harness's waitFor, a minute long; a probe that throws (the registry still starting) counts as not yet. */
const until = (what: string, probe: () => Promise<unknown>) => waitFor(what, () => probe().catch(() => false), 60_000, 200);

/** A registry from the mirror image on the host's network, listening on 127.0.0.1:port; returns its URL once it answers. */
async function startRegistry(role: string, env: string[]): Promise<{ url: string; name: string }> {
  const port = await freePort();
  const name = `berth-test-mirror-del-${role}-${tag}`;
  started.push(name);
  const c = await docker.createContainer({ name, Image: IMAGE, Env: [`REGISTRY_HTTP_ADDR=127.0.0.1:${port}`, ...env], HostConfig: { NetworkMode: 'host' } });
  await c.start();
  const url = `http://127.0.0.1:${port}`;
  await until(`${role} registry`, async () => (await fetch(`${url}/v2/`)).ok);
  return { url, name };
}

const digestOf = (b: Buffer) => `sha256:${crypto.createHash('sha256').update(b).digest('hex')}`;

async function pushBlob(url: string, blob: Buffer): Promise<string> {
  const digest = digestOf(blob);
  const start = await fetch(`${url}/v2/${REPO}/blobs/uploads/`, { method: 'POST' });
  expect(start.status).toBe(202);
  const location = new URL(start.headers.get('location')!, url);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array(blob) });
  expect(put.status).toBe(201);
  return digest;
}

/** Pushes a one-layer image (config, layer, manifest) as REPO:latest; returns the digests. */
async function seed(url: string): Promise<{ manifest: string; layer: string }> {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, config: {} }));
  const layer = crypto.randomBytes(512);
  const configDigest = await pushBlob(url, config);
  const layerDigest = await pushBlob(url, layer);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: configDigest },
      layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: layer.length, digest: layerDigest }],
    }),
  );
  const put = await fetch(`${url}/v2/${REPO}/manifests/latest`, { method: 'PUT', headers: { 'content-type': 'application/vnd.docker.distribution.manifest.v2+json' }, body: new Uint8Array(manifest) });
  expect(put.status).toBe(201);
  return { manifest: digestOf(manifest), layer: layerDigest };
}

const MANIFEST_ACCEPT = { accept: 'application/vnd.docker.distribution.manifest.v2+json' };

/** Tries to delete the manifest and the layer; returns the two statuses. */
async function tryDeletes(url: string, d: { manifest: string; layer: string }): Promise<number[]> {
  const m = await fetch(`${url}/v2/${REPO}/manifests/${d.manifest}`, { method: 'DELETE' });
  const b = await fetch(`${url}/v2/${REPO}/blobs/${d.layer}`, { method: 'DELETE' });
  return [m.status, b.status];
}

/** The image is still whole: its manifest and layer are served. */
async function stillServed(url: string, d: { manifest: string; layer: string }): Promise<number[]> {
  const m = await fetch(`${url}/v2/${REPO}/manifests/latest`, { headers: MANIFEST_ACCEPT });
  const b = await fetch(`${url}/v2/${REPO}/blobs/${d.layer}`);
  await Promise.all([m.arrayBuffer(), b.arrayBuffer()]);
  return [m.status, b.status];
}

beforeAll(async () => {
  // The image under test is this checkout's images/mirror.
  await run('docker', ['build', '-q', '-t', IMAGE, path.join(__dirname, '..', '..', 'images', 'mirror')], { maxBuffer: 1 << 24 });
}, 170_000);

afterAll(async () => {
  // `v`: the image declares a volume; each of these containers got its own, anonymous.
  await Promise.all(started.map((name) => docker.getContainer(name).remove({ force: true, v: true }).catch(() => undefined)));
}, 60_000);

test('control: a registry with deletes switched on accepts these deletes', async () => {
  const control = await startRegistry('control', ['REGISTRY_STORAGE_DELETE_ENABLED=true']);
  const d = await seed(control.url);
  expect(await tryDeletes(control.url, d)).toEqual([202, 202]);
});

test('the mirror refuses deletes as a plain registry, as a pull-through cache and as the read-only cache', async () => {
  // No upstream: a push target (CI seeds it), still no deletes.
  const upstream = await startRegistry('plain', []);
  expect((await mirrorStatus(upstream.url)).mode).toBe('registry');
  const d = await seed(upstream.url);
  expect(await tryDeletes(upstream.url, d)).toEqual([405, 405]);
  expect(await stillServed(upstream.url, d)).toEqual([200, 200]);

  // A pull-through cache of that registry: it caches the image, then refuses to delete it.
  const mirror = await startRegistry('cache', [`REGISTRY_PROXY_REMOTEURL=${upstream.url}`, 'MIRROR_PROBE_SECONDS=1', 'MIRROR_DOWN_AFTER=1']);
  await until('proxy mode', async () => (await mirrorStatus(mirror.url)).mode === 'proxy');
  expect(await stillServed(mirror.url, d)).toEqual([200, 200]);
  expect(await tryDeletes(mirror.url, d)).toEqual([405, 405]);
  // As it refuses pushes.
  expect((await fetch(`${mirror.url}/v2/${REPO}/blobs/uploads/`, { method: 'POST' })).status).not.toBe(202);

  // The upstream gone: the cache is served read-only, and deletes are still refused.
  await docker.getContainer(upstream.name).stop({ t: 1 });
  await until('cache-only mode', async () => (await mirrorStatus(mirror.url)).mode === 'cache-only');
  expect(await tryDeletes(mirror.url, d)).toEqual([405, 405]);
  expect(await stillServed(mirror.url, d)).toEqual([200, 200]);
});
