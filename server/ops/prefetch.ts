import type { ImageRef } from './lab-images';

/**
 * Fills the classroom mirror the night before: fetches each image's manifest
 * and blobs through the mirror's registry API, which makes a pull-through
 * mirror download and keep them. No Docker engine is involved, so nothing
 * lands in the host's image store; the bytes are read and dropped here.
 */

export interface PrefetchProgress {
  image: string;
  blobsDone: number;
  blobs: number;
  bytesDone: number;
  bytes: number;
}

export interface PrefetchResult {
  image: string;
  ok: boolean;
  blobs: number;
  bytes: number;
  /** Blobs another image of this run had already fetched. */
  shared: number;
  error?: string;
}

const MANIFEST_TYPES = [
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
].join(', ');

interface Descriptor {
  digest: string;
  size?: number;
  mediaType?: string;
  platform?: { os?: string; architecture?: string; variant?: string };
}
interface Manifest {
  mediaType?: string;
  manifests?: Descriptor[];
  config?: Descriptor;
  layers?: Descriptor[];
}

/** Node's names for CPUs differ from the OCI ones for x64 only. */
export function hostPlatform(): { os: string; architecture: string } {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch === 'ia32' ? '386' : process.arch;
  return { os: 'linux', architecture: arch };
}

export class MirrorClient {
  /** Blobs fetched during this run: base layers are shared by many images. */
  private readonly fetched = new Set<string>();

  constructor(
    private readonly base: string,
    private readonly platform = hostPlatform(),
    private readonly concurrency = 3,
    private readonly timeoutMs = 30 * 60_000,
  ) {}

  private async manifest(repository: string, reference: string): Promise<Manifest> {
    const url = `${this.base}/v2/${repository}/manifests/${reference}`;
    const res = await fetch(url, { headers: { Accept: MANIFEST_TYPES }, signal: AbortSignal.timeout(60_000) });
    if (res.status === 404) throw new Error('the mirror does not have it, and could not get it from its upstream (a typo, a private image, or the upstream is unreachable)');
    if (!res.ok) throw new Error(`the mirror answered HTTP ${res.status} for the manifest: ${(await res.text()).slice(0, 200)}`);
    return (await res.json()) as Manifest;
  }

  /** The manifest for this host's platform, following a multi-platform index. */
  private async platformManifest(ref: ImageRef): Promise<Manifest> {
    const top = await this.manifest(ref.repository, ref.reference);
    if (!top.manifests) return top;
    const { os, architecture } = this.platform;
    const match = top.manifests.find((m) => m.platform?.os === os && m.platform?.architecture === architecture);
    if (!match) {
      const offered = top.manifests.map((m) => `${m.platform?.os}/${m.platform?.architecture}`).join(', ');
      throw new Error(`no ${os}/${architecture} variant (offered: ${offered})`);
    }
    return this.manifest(ref.repository, match.digest);
  }

  /** Reads a blob to the end, which is what makes a pull-through mirror store it. */
  private async blob(repository: string, digest: string, onBytes: (n: number) => void): Promise<void> {
    const res = await fetch(`${this.base}/v2/${repository}/blobs/${digest}`, { signal: AbortSignal.timeout(this.timeoutMs) });
    if (!res.ok || !res.body) throw new Error(`blob ${digest.slice(0, 19)}: HTTP ${res.status}`);
    for await (const chunk of res.body) onBytes((chunk as Uint8Array).byteLength);
  }

  async prefetch(ref: ImageRef, onProgress: (p: PrefetchProgress) => void = () => undefined): Promise<PrefetchResult> {
    const image = `${ref.repository.replace(/^library\//, '')}${ref.reference.startsWith('sha256:') ? '@' : ':'}${ref.reference}`;
    const result: PrefetchResult = { image, ok: false, blobs: 0, bytes: 0, shared: 0 };
    try {
      const manifest = await this.platformManifest(ref);
      const blobs = [manifest.config, ...(manifest.layers ?? [])].filter((d): d is Descriptor => Boolean(d?.digest));
      const progress: PrefetchProgress = { image, blobsDone: 0, blobs: blobs.length, bytesDone: 0, bytes: blobs.reduce((n, b) => n + (b.size ?? 0), 0) };
      result.blobs = blobs.length;
      result.bytes = progress.bytes;
      onProgress({ ...progress });
      const queue = [...blobs];
      const worker = async () => {
        for (let b = queue.shift(); b; b = queue.shift()) {
          if (this.fetched.has(b.digest)) {
            result.shared++;
            progress.bytesDone += b.size ?? 0;
          } else {
            await this.blob(ref.repository, b.digest, (n) => {
              progress.bytesDone += n;
              onProgress({ ...progress });
            });
            this.fetched.add(b.digest);
          }
          progress.blobsDone++;
          onProgress({ ...progress });
        }
      };
      await Promise.all(Array.from({ length: Math.min(this.concurrency, blobs.length) }, worker));
      result.ok = true;
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      result.error = `${err instanceof Error ? err.message : String(err)}${cause ? ` (${cause})` : ''}`;
    }
    return result;
  }
}

export function formatBytes(n: number): string {
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  return n < 1024 ** 3 ? `${(n / 1024 ** 2).toFixed(1)} MB` : `${(n / 1024 ** 3).toFixed(2)} GB`;
}

export function formatProgress(p: PrefetchProgress): string {
  const pct = p.bytes ? Math.floor((100 * p.bytesDone) / p.bytes) : 0;
  return `${p.image}: ${p.blobsDone}/${p.blobs} blobs, ${formatBytes(p.bytesDone)} of ${formatBytes(p.bytes)} (${pct}%)`;
}
