import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import tar from 'tar-fs';
import type Docker from 'dockerode';
import { projectRoot } from '../paths';
import { errorText, isNotFound } from './engine';

export type Progress = (line: string) => void;

export async function imageExists(docker: Docker, name: string): Promise<boolean> {
  try {
    await docker.getImage(name).inspect();
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

function run(cmd: string, args: string[], progress: Progress): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const relay = (chunk: Buffer) => chunk.toString().split('\n').filter(Boolean).forEach((l) => progress(`  ${l}`));
    child.stdout.on('data', relay);
    child.stderr.on('data', relay);
    child.on('error', (err) => reject(new Error(`${cmd} could not start: ${err.message}`)));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}`))));
  });
}

/**
 * Makes `debian:trixie-slim` without a registry: debootstrap a minbase rootfs
 * once, keep it as a tarball in the cache, and `docker import` it.
 */
export async function ensureBaseImage(docker: Docker, name: string, cacheDir: string, progress: Progress): Promise<void> {
  if (await imageExists(docker, name)) {
    progress(`${name}: present`);
    return;
  }
  progress(`${name}: trying to pull`);
  try {
    const stream = await docker.pull(name);
    await new Promise<void>((resolve, reject) =>
      docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve())),
    );
    progress(`${name}: pulled`);
    return;
  } catch (err) {
    progress(`${name}: pull failed (${errorText(err).split('\n')[0]}); building it with debootstrap`);
  }
  fs.mkdirSync(cacheDir, { recursive: true });
  const tarball = path.join(cacheDir, 'debian-trixie-minbase.tar');
  if (!fs.existsSync(tarball)) {
    const rootfs = fs.mkdtempSync(path.join(cacheDir, 'rootfs-'));
    try {
      await run('debootstrap', ['--variant=minbase', 'trixie', rootfs], progress);
      await run('tar', ['-C', rootfs, '-cf', `${tarball}.part`, '.'], progress);
      fs.renameSync(`${tarball}.part`, tarball);
    } finally {
      fs.rmSync(rootfs, { recursive: true, force: true });
    }
  } else {
    progress(`${name}: using cached rootfs ${tarball}`);
  }
  const [repo, tag = 'latest'] = name.split(':');
  const stream = await docker.importImage(fs.createReadStream(tarball), { repo, tag });
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve())),
  );
  progress(`${name}: imported`);
}

/** Builds one folder of images/ as `tag`, streaming the build log to `progress`. */
export async function buildImage(docker: Docker, folder: string, tag: string, progress: Progress, buildArgs: Record<string, string> = {}): Promise<void> {
  const context = path.join(projectRoot(), 'images', folder);
  if (!fs.existsSync(path.join(context, 'Dockerfile'))) throw new Error(`images/${folder}/Dockerfile not found`);
  const stream = await docker.buildImage(tar.pack(context) as unknown as NodeJS.ReadableStream, { t: tag, buildargs: buildArgs, labels: { 'io.berth.image': folder } });
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (err: Error | null, output: Array<{ error?: string }>) => {
        const failed = err?.message ?? output.find((o) => o.error)?.error;
        if (failed) reject(new Error(`building images/${folder} failed: ${failed}`));
        else resolve();
      },
      (event: { stream?: string; status?: string }) => {
        const line = (event.stream ?? event.status ?? '').trimEnd();
        if (line && /^(Step \d+|Successfully|ERROR|E:)/.test(line)) progress(`  ${folder}: ${line}`);
      },
    );
  });
  progress(`${tag}: built`);
}

export function defaultCacheDir(): string {
  return process.env.BERTH_CACHE_DIR || path.join(os.homedir(), '.cache', 'berth');
}

export interface ImageNames {
  base: string;
  dind: string;
  shell: string;
  mirror: string;
}

/** Everything `berth images build` makes, in dependency order. */
export async function buildAllImages(docker: Docker, names: ImageNames, progress: Progress, only?: string[]): Promise<void> {
  await ensureBaseImage(docker, names.base, defaultCacheDir(), progress);
  const wanted: Array<[string, string]> = [
    ['dind', names.dind],
    ['shell', names.shell],
    ['mirror', names.mirror],
  ];
  for (const [folder, tag] of wanted) {
    if (only && only.length && !only.includes(folder)) continue;
    const started = Date.now();
    await buildImage(docker, folder, tag, progress);
    progress(`  (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
}
