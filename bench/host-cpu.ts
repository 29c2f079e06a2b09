/**
 * Where a host's CPU goes while lab machines start: the host's own engine
 * daemons, each machine's cgroup, and the host as a whole. Linux only (/proc,
 * /sys/fs/cgroup v1 or v2); shared by bench/machine-start.ts and
 * bench/classroom.ts.
 */
import fs from 'node:fs';

/** A process inside some container (cgroup v1 `/docker/<id>`, v2 `docker-<id>.scope`), such as a lab machine's own dockerd. */
const IN_CONTAINER = /\/docker[/-][0-9a-f]{64}/;

/** CPU seconds the host's engine daemons (dockerd, containerd) have used so far; daemons of the same names inside lab machines are not the host's engine. */
export function engineCpuSeconds(): number {
  let ticks = 0;
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const comm = fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      if (comm !== 'dockerd' && comm !== 'containerd') continue;
      if (IN_CONTAINER.test(fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8'))) continue;
      // Fields after the command name: utime and stime are the 12th and 13th.
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      /* the process ended between readdir and read */
    }
  }
  return ticks / 100; // USER_HZ is 100 on Linux
}

/** CPU seconds used inside a container (a lab machine: its init, entrypoint, containerd, dockerd and what they ran), from its cgroup. */
export function containerCpuSeconds(containerId: string): number | null {
  for (const file of [`/sys/fs/cgroup/cpuacct/docker/${containerId}/cpuacct.usage`, `/sys/fs/cgroup/system.slice/docker-${containerId}.scope/cpu.stat`]) {
    try {
      const text = fs.readFileSync(file, 'utf8');
      if (file.endsWith('cpuacct.usage')) return Number(text.trim()) / 1e9;
      const usec = /usage_usec (\d+)/.exec(text);
      return usec ? Number(usec[1]) / 1e6 : null;
    } catch {
      /* not this cgroup layout */
    }
  }
  return null;
}

/** CPU seconds all cores of the host have spent busy (not idle or waiting on I/O) since boot, from /proc/stat. */
export function hostBusyCpuSeconds(): number {
  const cpu = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal ...
  const busy = cpu.reduce((a, b) => a + b, 0) - cpu[3] - cpu[4];
  return busy / 100;
}
