import type Docker from 'dockerode';
import type { BerthConfig, IsolationProfile } from '../config';
import { errorText, labelsFor, leftForReconcile } from './engine';
import { isolationAdvice } from './isolation';
import { removeContainer } from './machines';

export interface ProfileChoice {
  profile: IsolationProfile;
  why: string;
  /** What the profile lets a student do, and Sysbox install steps where it is not sysbox: log it. */
  advice: { level: 'info' | 'warn'; lines: string[] };
}

/**
 * `auto` at start-up: the quick form of `berth doctor`'s choice. sysbox if the
 * runtime is installed, else privileged if the engine allows it, else caps.
 * Whatever is chosen comes with advice saying plainly what it exposes.
 */
export async function detectProfile(docker: Docker, config: BerthConfig): Promise<ProfileChoice> {
  const chosen = await choose(docker, config);
  return { ...chosen, advice: isolationAdvice(chosen.profile, config.docker.isolation === 'auto' ? 'auto' : 'config') };
}

async function choose(docker: Docker, config: BerthConfig): Promise<{ profile: IsolationProfile; why: string }> {
  if (config.docker.isolation !== 'auto') return { profile: config.docker.isolation, why: 'set by BERTH_ISOLATION' };
  const info = (await docker.info()) as { Runtimes?: Record<string, unknown> };
  if (info.Runtimes && 'sysbox-runc' in info.Runtimes) return { profile: 'sysbox', why: 'the sysbox-runc runtime is installed' };
  let container: Docker.Container | undefined;
  try {
    container = await docker.createContainer({
      Image: config.docker.images.dind,
      Entrypoint: ['true'],
      Labels: labelsFor(config.docker.instanceId, 'check'),
      HostConfig: { Privileged: true },
    });
    await container.start();
    await container.wait();
    return { profile: 'privileged', why: 'the engine allows privileged containers' };
  } catch (err) {
    return { profile: 'caps', why: `privileged containers are refused (${errorText(err).split('\n')[0]})` };
  } finally {
    if (container) await removeContainer(docker, container.id).catch(leftForReconcile('removing the isolation probe container'));
  }
}
