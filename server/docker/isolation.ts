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

/** In plain words, what a student who is root in a lab machine can do to the host under each profile. */
export const PROFILE_EXPOSURE: Record<IsolationProfile, string> = {
  privileged:
    'a student who is root in a lab machine (every student is) can mount the host\'s disks, load kernel modules and read or change anything on the host, other students\' machines included',
  caps: 'a student who is root in a lab machine has every capability and no seccomp or AppArmor filter: they can change the host\'s cgroups and, with little effort, take over the host (only device access is withheld)',
  sysbox: 'root in a lab machine is an unprivileged user on the host: a student can break their own machine, not the host or anyone else\'s',
};

/** Steps that take a Debian or Ubuntu host from "no sysbox" to BERTH_ISOLATION=sysbox. */
export const SYSBOX_INSTALL = [
  'Install Sysbox (https://github.com/nestybox/sysbox, Debian/Ubuntu, x86_64 or arm64):',
  '  1. Stop the running labs (docker rm -f on running containers): the installer restarts dockerd.',
  '  2. Download the latest sysbox-ce_<version>.linux_<arch>.deb from https://github.com/nestybox/sysbox/releases',
  '  3. sudo apt-get install -y jq ./sysbox-ce_<version>.linux_<arch>.deb   (supported distributions and kernels: docs/user-guide/install-package.md there)',
  '  4. docker info --format "{{json .Runtimes}}" shows sysbox-runc; then restart Berth (auto picks sysbox) or set BERTH_ISOLATION=sysbox.',
];

/**
 * What Berth says about its isolation at start-up and in `berth doctor`:
 * what the profile lets a student do and, unless it is sysbox, that Sysbox
 * would fix it and how. `auto` choosing privileged is never silent.
 */
export function isolationAdvice(profile: IsolationProfile, chosenBy: 'auto' | 'config'): { level: 'info' | 'warn'; lines: string[] } {
  const lines = [`Isolation ${profile}${chosenBy === 'auto' ? ' (chosen automatically)' : ''}: ${PROFILE_EXPOSURE[profile]}.`];
  if (profile === 'sysbox') return { level: 'info', lines };
  lines.push('Use it only for a class you trust, on a host that holds nothing else. Sysbox removes this risk:', ...SYSBOX_INSTALL);
  return { level: 'warn', lines };
}
