import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { EngineStuck } from '../../server/backend/lab-backend';
import { loadConfig } from '../../server/config';
import { DockerBackend } from '../../server/docker/docker-backend';
import { detectProfile } from '../../server/docker/detect-profile';
import { connectDocker, LABEL } from '../../server/docker/engine';
import { publicMessage } from '../../server/public-error';
import { newSessionId } from '../../server/sessions/session-id';

/**
 * A start whose engine never answers one call: the backend gives up at its
 * deadline with an error a student can read, and removes what the start had
 * made. A resume gives up the same way but removes nothing: the machines hold
 * the student's work. The engine is the real one, reached through a socket that forwards
 * everything but `POST /containers/…/start`, which it holds forever (what a
 * stuck containerd looks like from Berth).
 */
jest.setTimeout(120_000);

const docker = connectDocker();
const instance = `it-deadline-${Math.random().toString(36).slice(2, 8)}`;
const config = loadConfig({ ...process.env, BERTH_INSTANCE: instance, BERTH_WARM_POOL: '0' });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-stuck-'));
const socketPath = path.join(dir, 'docker.sock');
const sockets = new Set<net.Socket>();
let held = 0;
let proxy: net.Server;

beforeAll(async () => {
  proxy = net.createServer((client) => {
    const upstream = net.connect('/var/run/docker.sock');
    sockets.add(client).add(upstream);
    let stuck = false;
    client.on('data', (chunk) => {
      // Requests on one connection come one after another: once one is held, the rest wait behind it.
      if (!stuck && /^POST \S*\/containers\/[^/\s]+\/start[ ?]/.test(chunk.toString('latin1'))) {
        stuck = true;
        held++;
      }
      if (!stuck) upstream.write(chunk);
    });
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => proxy.listen(socketPath, resolve));
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => proxy.close(resolve));
  fs.rmSync(dir, { recursive: true, force: true });
  const left = await docker.listContainers({ all: true, filters: { label: [`${LABEL.instance}=${instance}`] } });
  await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true })));
});

test('a start stuck in the engine fails at its deadline, says so, and leaves nothing behind', async () => {
  const { profile } = await detectProfile(docker, config);
  const backend = new DockerBackend(new Docker({ socketPath }), config, profile, 3_000);
  const sessionId = newSessionId();
  const spec = { sessionId, labId: 'stuck', studentId: 'tester', machines: [{ name: 'node1', image: 'dind', docker: true, env: {}, files: [] }] };
  const t0 = Date.now();
  const err = await backend.start(spec).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EngineStuck);
  expect(held).toBe(1);
  expect(Date.now() - t0).toBeLessThan(60_000);
  // The student reads why, in words (the session manager puts this in the failed lab's message).
  expect(publicMessage(err)).toMatch(/did not get your machines ready within 3 s, while starting node1/);
  const containers = await docker.listContainers({ all: true, filters: { label: [`${LABEL.instance}=${instance}`] } });
  expect(containers.map((c) => c.Names)).toEqual([]);
  const networks = await docker.listNetworks({ filters: { label: [`${LABEL.session}=${sessionId}`] } });
  expect(networks.map((n) => n.Name)).toEqual([]);
  await backend.shutdown();
});

test('a resume stuck in the engine fails at its deadline and keeps the machines, which hold the student\'s work', async () => {
  const { profile } = await detectProfile(docker, config);
  const direct = new DockerBackend(docker, config, profile);
  const sessionId = newSessionId();
  const spec = { sessionId, labId: 'stuck', studentId: 'tester', machines: [{ name: 'node1', image: 'dind', docker: true, env: {}, files: [] }] };
  const state = await direct.start(spec);
  try {
    const wrote = await direct.exec(state, 'node1', 'echo kept > /root/kept.txt', { timeoutMs: 30_000, outputCapBytes: 1024 });
    expect(wrote).toMatchObject({ exitCode: 0 });
    await direct.pause(state);
    const stuck = new DockerBackend(new Docker({ socketPath }), config, profile, 3_000);
    const before = held;
    const err = await stuck.resume(state).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(EngineStuck);
    expect(held).toBe(before + 1);
    expect(publicMessage(err)).toMatch(/within 3 s, while waking node1/);
    await stuck.shutdown();
    // Nothing was removed: resumed the usual way, the machine still has the student's file.
    const resumed = await direct.resume(state);
    const r = await direct.exec(resumed, 'node1', 'cat /root/kept.txt', { timeoutMs: 30_000, outputCapBytes: 1024 });
    expect(r).toMatchObject({ exitCode: 0, stdout: 'kept\n' });
  } finally {
    await direct.stop(state);
    await direct.shutdown();
  }
});
