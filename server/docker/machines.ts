import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import type { IsolationProfile } from '../config';
import { dockerMachineHostConfig, plainMachineHostConfig, type HostConfig } from './isolation';
import { errorText, isNotFound } from './engine';
import { runExec } from './exec';

export interface MachineCreateSpec {
  containerName: string;
  hostname: string;
  image: string;
  /** Runs a Docker engine inside: needs the isolation profile and a /var/lib/docker volume. */
  docker: boolean;
  profile: IsolationProfile;
  network?: { name: string; aliases: string[] };
  labels: Record<string, string>;
  volumeName?: string;
  env: Record<string, string>;
  memoryBytes: number;
  nanoCpus: number;
  pids: number;
  logBytes: number;
  diskBytes: number;
  registryMirror: string;
  /**
   * Start the inner dockerd only when a client first connects to Docker's socket, or after this many
   * seconds, instead of at once (Docker machines). For machines that start while others do: their
   * prompts then do not queue behind every dockerd's start.
   */
  dockerdWhenUsedSeconds?: number;
}

export async function createMachine(docker: Docker, spec: MachineCreateSpec): Promise<Docker.Container> {
  if (spec.volumeName) {
    await docker.createVolume({ Name: spec.volumeName, Labels: spec.labels });
  }
  const confinement = spec.docker ? dockerMachineHostConfig(spec.profile) : plainMachineHostConfig();
  const hostConfig: HostConfig = {
    ...confinement,
    Init: true,
    Memory: spec.memoryBytes || undefined,
    // No swap beyond the memory limit: an OOM lesson should actually OOM.
    MemorySwap: spec.memoryBytes || undefined,
    NanoCpus: spec.nanoCpus || undefined,
    PidsLimit: spec.pids || undefined,
    LogConfig: { Type: 'json-file', Config: { 'max-size': String(spec.logBytes), 'max-file': '1' } },
    ExtraHosts: ['host.docker.internal:host-gateway'],
    Mounts: spec.volumeName ? [{ Type: 'volume', Source: spec.volumeName, Target: '/var/lib/docker' }] : [],
    NetworkMode: spec.network?.name ?? 'none',
    RestartPolicy: { Name: 'no' },
    StorageOpt: spec.diskBytes ? { size: String(spec.diskBytes) } : undefined,
  };
  const env = {
    ...spec.env,
    BERTH_HOSTNAME: spec.hostname,
    BERTH_DOCKER: spec.docker ? '1' : '0',
    BERTH_REGISTRY_MIRROR: spec.registryMirror,
    ...(spec.docker && spec.dockerdWhenUsedSeconds ? { BERTH_DOCKERD: `when-used:${spec.dockerdWhenUsedSeconds}` } : {}),
  };
  return docker.createContainer({
    name: spec.containerName,
    Hostname: spec.hostname,
    Image: spec.image,
    Labels: spec.labels,
    Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    Tty: false,
    HostConfig: hostConfig,
    NetworkingConfig: spec.network
      ? { EndpointsConfig: { [spec.network.name]: { Aliases: spec.network.aliases } } }
      : undefined,
  });
}

/**
 * What a machine's entrypoint announces on its log stream. `prompt`: the machine
 * is the student's (its env and hostname set; on a Docker machine, Docker's
 * socket listens, and a docker command waits in its queue until the inner
 * dockerd answers). `docker`: that dockerd answers (Docker machines only).
 */
export type Readiness = 'prompt' | 'docker';
const READY_LINE: Record<Readiness, string> = { prompt: 'BERTH-READY', docker: 'BERTH-DOCKER-READY' };

/**
 * Waits for the entrypoint's line for `until` on the log stream, so readiness
 * is an event rather than a polling loop. Lines from an earlier run of the same
 * container are skipped by starting at this run's StartedAt.
 */
export async function waitReady(container: Docker.Container, timeoutMs: number, until: Readiness = 'prompt'): Promise<void> {
  const line = READY_LINE[until];
  const info = await container.inspect();
  if (!info.State.Running) throw new Error(`machine ${info.Name.slice(1)} is not running (${info.State.Status})`);
  const since = Math.floor(new Date(info.State.StartedAt).getTime() / 1000);
  const raw = (await container.logs({ follow: true, stdout: true, stderr: true, since })) as NodeJS.ReadableStream & {
    destroy(): void;
  };
  const text = new PassThrough();
  container.modem.demuxStream(raw, text, text);
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    const finish = (err?: Error) => {
      clearTimeout(timer);
      raw.destroy();
      if (err) reject(err);
      else resolve();
    };
    const timer = setTimeout(
      () => finish(new Error(`machine ${info.Name.slice(1)} was not ready within ${Math.round(timeoutMs / 1000)} s`)),
      timeoutMs,
    );
    text.on('data', (chunk: Buffer) => {
      seen = (seen + chunk.toString('utf8')).slice(-8192);
      if (seen.includes(line)) finish();
      else if (seen.includes('BERTH-FAILED')) finish(new Error(`machine ${info.Name.slice(1)} failed to start: ${seen.slice(seen.indexOf('BERTH-FAILED'))}`));
    });
    raw.on('end', () => {
      if (!seen.includes(line)) finish(new Error(`machine ${info.Name.slice(1)} stopped before it was ready: ${seen.slice(-500)}`));
    });
    raw.on('error', (e: Error) => finish(e));
  });
}

/**
 * Unpauses every container paused inside a lab machine. Under cgroup v1 a
 * frozen process cannot receive SIGKILL, so a machine with a `docker pause`d
 * container inside never exits: `docker rm -f` fails with "did not receive an
 * exit event" and the session's objects leak. Thawing first costs one short
 * exec; on a machine without Docker, or one not running, it simply fails.
 */
async function thawInnerContainers(docker: Docker, idOrName: string): Promise<void> {
  const script = 'command -v docker >/dev/null && [ -S /var/run/docker.sock ] || exit 0; ids=$(docker ps -q --filter status=paused); [ -z "$ids" ] || docker unpause $ids >/dev/null';
  await runExec(docker.getContainer(idOrName), ['sh', '-c', script], { timeoutMs: 5_000, outputCapBytes: 4096 }).catch(() => undefined); // best effort: see above
}

export async function removeContainer(docker: Docker, idOrName: string): Promise<void> {
  await thawInnerContainers(docker, idOrName);
  try {
    await docker.getContainer(idOrName).remove({ force: true, v: true });
  } catch (err) {
    if (!isNotFound(err) && !/removal of container .* is already in progress/.test(errorText(err))) throw err;
  }
}

export async function removeVolume(docker: Docker, name: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await docker.getVolume(name).remove({ force: true });
      return;
    } catch (err) {
      if (isNotFound(err)) return;
      // A volume is briefly "in use" while its container is still being torn down.
      if (attempt >= 20) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

export async function stopContainer(docker: Docker, id: string): Promise<void> {
  await thawInnerContainers(docker, id);
  try {
    await docker.getContainer(id).stop({ t: 5 });
  } catch (err) {
    if (!isNotFound(err) && (err as { statusCode?: number }).statusCode !== 304) throw err;
  }
}
