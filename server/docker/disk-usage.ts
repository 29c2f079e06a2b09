import type Docker from 'dockerode';
import type { BackendState } from '../backend/lab-backend';

/**
 * Disk a session's machines have written: each machine's writable layer
 * plus its /var/lib/docker volume (pulled images, inner containers). One
 * `docker system df` answers for every session at once; the engine walks the
 * layers and volumes to count them, which is why the watchdog runs rarely.
 * Sessions are matched by the container ids and volume names in their state.
 */
export async function measureSessionsDisk(docker: Docker, states: BackendState[]): Promise<number[]> {
  if (states.length === 0) return [];
  const df = (await docker.df()) as {
    Containers?: Array<{ Id: string; SizeRw?: number }>;
    Volumes?: Array<{ Name: string; UsageData?: { Size?: number } | null }>;
  };
  const layer = new Map((df.Containers ?? []).map((c) => [c.Id, Math.max(0, c.SizeRw ?? 0)]));
  const volume = new Map((df.Volumes ?? []).map((v) => [v.Name, Math.max(0, v.UsageData?.Size ?? 0)]));
  return states.map((raw) => {
    const machines = (raw as { machines?: Array<{ containerId: string; volume: string | null }> }).machines ?? [];
    return machines.reduce((sum, m) => sum + (layer.get(m.containerId) ?? 0) + (m.volume ? (volume.get(m.volume) ?? 0) : 0), 0);
  });
}
