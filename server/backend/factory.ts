import type { BackendKind, BerthConfig, IsolationProfile } from '../config';
import { startDockerBackend } from '../docker/start-docker-backend';
import { FakeBackend } from './fake-backend';
import type { LabBackend } from './lab-backend';

export type { BackendKind };

export interface ChosenBackend {
  backend: LabBackend;
  /** How machines are isolated; the fake isolates nothing and reports the configured profile. */
  profile: IsolationProfile;
}

/** Extra inputs a backend may take, for tests and benchmarks (an engine client for Docker). */
export interface BackendOptions {
  docker?: Parameters<typeof startDockerBackend>[1];
  /** The backend will only remove what exists (`berth down`): nothing is probed for an isolation profile, no advice is logged. */
  removalOnly?: boolean;
}

/**
 * The one place that turns configuration into a backend. Adding a backend is
 * a case here, its name in config.ts (BackendKind), and passing tests/backend-contract/.
 */
export async function createBackend(config: BerthConfig, options: BackendOptions = {}): Promise<ChosenBackend> {
  switch (config.backend) {
    case 'docker':
      return startDockerBackend(config, options.docker, { removalOnly: options.removalOnly });
    case 'fake':
      return { backend: new FakeBackend({ warmPool: config.warmPool.size }), profile: configuredProfile(config, 'privileged') };
  }
}

/** BERTH_ISOLATION when it names a profile; `fallback` for `auto`. */
function configuredProfile(config: BerthConfig, fallback: IsolationProfile): IsolationProfile {
  return config.docker.isolation === 'auto' ? fallback : config.docker.isolation;
}
