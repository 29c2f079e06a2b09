import fs from 'node:fs';
import type { Readable } from 'node:stream';
import tar from 'tar-fs';
import type Docker from 'dockerode';
import { runExec } from './exec';

/**
 * Copies a host folder into a machine with tar-fs. `mode` (octal string) is
 * applied to every regular file; folders keep theirs.
 */
export async function copyFolderIn(container: Docker.Container, hostDir: string, target: string, mode?: string): Promise<void> {
  if (!fs.existsSync(hostDir)) throw new Error(`copy into machine: ${hostDir} does not exist`);
  await runExec(container, ['mkdir', '-p', target], { timeoutMs: 10_000, outputCapBytes: 4096 });
  const fileMode = mode ? parseInt(mode, 8) : undefined;
  const pack = tar.pack(hostDir, {
    map: (header) => {
      header.uid = 0;
      header.gid = 0;
      if (fileMode !== undefined && header.type === 'file') header.mode = fileMode;
      return header;
    },
  });
  await container.putArchive(pack as unknown as NodeJS.ReadableStream, { path: target });
}

/** A tar stream of `path` inside the machine. */
export async function copyOut(container: Docker.Container, path: string): Promise<Readable> {
  return (await container.getArchive({ path })) as unknown as Readable;
}
