import type Docker from 'dockerode';
import type { BerthConfig, IsolationProfile } from '../config';
import { log } from '../log';
import { detectProfile } from './detect-profile';
import { DockerBackend } from './docker-backend';
import { connectDocker } from './engine';

/**
 * Everything the Docker backend needs before its first session: a reachable
 * engine (with an error that says how to get one) and an isolation profile.
 * The backend factory calls this; nothing outside server/docker/ sees dockerode.
 */
export async function startDockerBackend(
  config: BerthConfig,
  docker: Docker = connectDocker(),
  opts: { removalOnly?: boolean } = {},
): Promise<{ backend: DockerBackend; profile: IsolationProfile }> {
  try {
    await docker.ping();
  } catch (err) {
    throw new Error(
      `cannot reach the Docker engine (${err instanceof Error ? err.message : String(err)}). Start dockerd, or mount /var/run/docker.sock into Berth's container, or set DOCKER_HOST.`,
      { cause: err },
    );
  }
  if (opts.removalOnly) {
    // Removing starts no machine, so no profile is probed; the one named here is never used.
    const profile = config.docker.isolation === 'auto' ? 'caps' : config.docker.isolation;
    return { backend: new DockerBackend(docker, config, profile), profile };
  }
  const { profile, why, advice } = await detectProfile(docker, config);
  log.info({ profile }, `isolation profile: ${profile} (${why})`);
  // Never silent: what the profile lets a student do, and how to get Sysbox where it is missing.
  log[advice.level]({ profile }, advice.lines.join('\n'));
  return { backend: new DockerBackend(docker, config, profile), profile };
}
