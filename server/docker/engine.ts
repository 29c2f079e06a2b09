import Docker from 'dockerode';
import { log } from '../log';

/**
 * The one place a Docker client is made. Everything that talks to the daemon
 * lives under server/docker/ and receives this object; the rest of the server
 * goes through the LabBackend interface and never imports dockerode.
 */
export function connectDocker(env: NodeJS.ProcessEnv = process.env): Docker {
  if (env.DOCKER_HOST) {
    const url = new URL(env.DOCKER_HOST.replace(/^tcp:/, 'http:'));
    if (env.DOCKER_HOST.startsWith('unix://')) return new Docker({ socketPath: env.DOCKER_HOST.slice(7) });
    return new Docker({ host: url.hostname, port: Number(url.port || 2375) });
  }
  return new Docker({ socketPath: '/var/run/docker.sock' });
}

/** Labels on every container, network and volume Berth creates. */
export const LABEL = {
  instance: 'io.berth.instance',
  session: 'io.berth.session',
  lab: 'io.berth.lab',
  machine: 'io.berth.machine',
  student: 'io.berth.student',
  role: 'io.berth.role',
} as const;

export type ObjectRole = 'machine' | 'pool' | 'network' | 'volume' | 'check';

export function labelsFor(instanceId: string, role: ObjectRole, extra: Record<string, string> = {}): Record<string, string> {
  return { [LABEL.instance]: instanceId, [LABEL.role]: role, ...extra };
}

/** Docker's 404 for "no such container/network/volume": treated as already gone. */
export function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { statusCode?: number }).statusCode === 404;
}

/**
 * The catch of a best-effort removal: the failure is logged, never thrown,
 * because every object Berth makes carries its instance label and the next
 * reconcile (removeOrphans) or `berth down` removes what is left.
 */
export function leftForReconcile(what: string): (err: unknown) => void {
  return (err) => log.warn({ err: errorText(err) }, `${what} failed; the next reconcile removes what is left by its labels`);
}

export function errorText(err: unknown): string {
  if (err instanceof Error) {
    const json = (err as { json?: { message?: string } }).json;
    return json?.message ?? err.message;
  }
  return String(err);
}
