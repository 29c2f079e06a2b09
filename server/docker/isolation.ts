import type Docker from 'dockerode';
import type { IsolationProfile } from '../config';

/** Docker's HostConfig as the API takes it; the typings lack CgroupnsMode. */
export type HostConfig = Docker.HostConfig & { CgroupnsMode?: 'host' | 'private'; MaskedPaths?: string[]; ReadonlyPaths?: string[] };

/**
 * How a machine that runs its own Docker engine is confined.
 * - privileged: what Docker-in-Docker normally uses. A student with root in the
 *   machine can reach the host kernel's devices: trust the class.
 * - sysbox: the sysbox-runc runtime gives Docker-in-Docker without privilege;
 *   the recommended profile where it is installed.
 * - caps: every capability but SYS_RESOURCE, no seccomp/AppArmor, the host's
 *   cgroup tree mounted writable. Needed where privileged is refused; about as
 *   exposed as privileged, minus device access.
 */
export function dockerMachineHostConfig(profile: IsolationProfile): HostConfig {
  switch (profile) {
    case 'privileged':
      return { Privileged: true };
    case 'sysbox':
      return { Runtime: 'sysbox-runc' };
    case 'caps':
      return {
        CapAdd: ['ALL'],
        CapDrop: ['SYS_RESOURCE'],
        SecurityOpt: ['seccomp=unconfined', 'apparmor=unconfined'],
        // The CLI's `systempaths=unconfined`: empty (not absent) lists turn off /proc and /sys masking.
        MaskedPaths: [],
        ReadonlyPaths: [],
        CgroupnsMode: 'host',
        Binds: ['/sys/fs/cgroup:/sys/fs/cgroup:rw'],
      };
  }
}

/** Machines without Docker inside get Docker's default, unprivileged confinement. */
export function plainMachineHostConfig(): HostConfig {
  return {};
}

export const PROFILE_NOTES: Record<IsolationProfile, string> = {
  privileged: 'privileged containers: standard Docker-in-Docker; root in a lab machine is close to root on the host.',
  sysbox: 'sysbox-runc runtime: Docker-in-Docker without privilege (recommended where installed).',
  caps: 'explicit capabilities (ALL minus SYS_RESOURCE, unconfined seccomp/AppArmor, host cgroup tree): for hosts that refuse privileged.',
};
