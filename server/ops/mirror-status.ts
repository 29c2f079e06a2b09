import type { BerthConfig } from '../config';

/**
 * What the classroom registry mirror is doing, asked over its HTTP API (no
 * Docker call): reachable or not, its mode (images/mirror/berth-mirror.sh puts
 * it in the X-Berth-Mirror-Mode header) and what it has cached.
 */

export type MirrorMode = 'proxy' | 'cache-only' | 'registry' | 'unknown';

export interface MirrorStatus {
  url: string;
  reachable: boolean;
  mode: MirrorMode;
  repositories: Array<{ name: string; tags: string[] }>;
  /** Why it is not reachable, in words. */
  error?: string;
}

const MODE_NOTES: Record<MirrorMode, string> = {
  proxy: 'pull-through cache of its upstream',
  'cache-only': 'upstream unreachable: serving its cached images read-only, pulls of anything else fail until the upstream returns',
  registry: 'plain registry without upstream (images are pushed into it)',
  unknown: 'a registry that is not Berth\'s mirror image (no X-Berth-Mirror-Mode header)',
};

/**
 * Lab machines reach the mirror at host.docker.internal (their bridge's gateway);
 * Berth itself runs on the host's network, where that name does not resolve.
 */
export function mirrorUrlFromHost(registryMirror: string): string {
  return registryMirror.replace(/\/+$/, '').replace('//host.docker.internal', '//127.0.0.1');
}

async function getJson(url: string, timeoutMs: number): Promise<{ res: Response; body: unknown }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  try {
    return { res, body: JSON.parse(text) as unknown };
  } catch {
    return { res, body: null }; // not JSON (an HTML error page): judged by its status alone
  }
}

export async function mirrorStatus(url: string, options: { timeoutMs?: number; maxRepositories?: number } = {}): Promise<MirrorStatus> {
  const timeoutMs = options.timeoutMs ?? 3000;
  const base = url.replace(/\/+$/, '');
  const status: MirrorStatus = { url: base, reachable: false, mode: 'unknown', repositories: [] };
  try {
    const { res } = await getJson(`${base}/v2/`, timeoutMs);
    // A registry answers /v2/ with 200, or 401 when it wants credentials.
    if (res.status !== 200 && res.status !== 401) {
      status.error = `${base}/v2/ answered HTTP ${res.status}: not a registry`;
      return status;
    }
    status.reachable = true;
    const mode = res.headers.get('x-berth-mirror-mode');
    if (mode === 'proxy' || mode === 'cache-only' || mode === 'registry') status.mode = mode;
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    status.error = `no answer from ${base} (${cause ?? (err instanceof Error ? err.message : String(err))})`;
    return status;
  }
  try {
    const { body } = await getJson(`${base}/v2/_catalog?n=${options.maxRepositories ?? 200}`, timeoutMs);
    const names = ((body as { repositories?: unknown })?.repositories ?? []) as unknown[];
    for (const name of names.filter((n): n is string => typeof n === 'string')) {
      const tags = await getJson(`${base}/v2/${name}/tags/list`, timeoutMs)
        .then(({ body: t }) => ((t as { tags?: unknown })?.tags ?? []) as unknown[])
        .catch((): unknown[] => []); // a repository whose tags cannot be listed is shown with none
      status.repositories.push({ name, tags: tags.filter((t): t is string => typeof t === 'string').sort() });
    }
  } catch {
    // A mirror that answers /v2/ but not the catalog still serves pulls: reported without a list.
  }
  return status;
}

/** One line for `berth doctor`: ok unless the mirror is configured and silent. */
export async function mirrorProbe(config: BerthConfig): Promise<{ name: string; ok: boolean; detail: string }> {
  const name = 'registry mirror';
  if (!config.docker.registryMirror) return { name, ok: true, detail: 'none configured (BERTH_REGISTRY_MIRROR is empty): lab machines pull from Docker Hub directly' };
  const status = await mirrorStatus(mirrorUrlFromHost(config.docker.registryMirror));
  if (!status.reachable) {
    return { name, ok: false, detail: `${status.error}; lab machines will pull from Docker Hub directly. Is the mirror container running (docker compose ps mirror)?` };
  }
  const cached = status.repositories.map((r) => `${r.name.replace(/^library\//, '')}${r.tags.length ? `:${r.tags.slice(0, 4).join(',')}${r.tags.length > 4 ? ',…' : ''}` : ''}`);
  const list = cached.length ? `${cached.length} image(s) cached: ${cached.join(' ')}` : 'nothing cached yet (`berth images prefetch --all` fills it)';
  return { name, ok: status.mode !== 'cache-only', detail: `${status.url}, ${status.mode}: ${MODE_NOTES[status.mode]}; ${list}` };
}
