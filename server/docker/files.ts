import fs from 'node:fs';
import { PassThrough, type Readable } from 'node:stream';
import tar from 'tar-fs';
import type Docker from 'dockerode';
import { MachinePathNotFound, type FileOwnership } from '../backend/lab-backend';
import { isNotFound } from './engine';
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
  try {
    return (await container.getArchive({ path })) as unknown as Readable;
  } catch (err) {
    if (isNotFound(err)) throw new MachinePathNotFound(path);
    throw err;
  }
}

/** One ustar header block; names are short and checked by the caller, so no long-name extension is needed. */
function ustarHeader(name: string, size: number, owner: FileOwnership): Buffer {
  const block = Buffer.alloc(512, 0);
  const octal = (value: number, width: number) => value.toString(8).padStart(width - 1, '0') + '\0';
  block.write(name, 0, 100, 'utf8');
  block.write(octal(owner.mode & 0o7777, 8), 100, 'ascii');
  block.write(octal(owner.uid, 8), 108, 'ascii');
  block.write(octal(owner.gid, 8), 116, 'ascii');
  block.write(octal(size, 12), 124, 'ascii');
  block.write(octal(Math.floor(Date.now() / 1000), 12), 136, 'ascii');
  block.write('        ', 148, 'ascii'); // checksum is computed with its own field as spaces
  block.write('0', 156, 'ascii');
  block.write('ustar\0', 257, 'ascii');
  block.write('00', 263, 'ascii');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return block;
}

/**
 * Streams one file of exactly `size` bytes into `dir` of the machine. The tar
 * is built on the fly around the body, so the file never sits whole in
 * Berth's memory or on its disk; a body that ends early or runs long aborts
 * the engine request instead of leaving a wrong file behind quietly.
 */
export async function writeFileStream(
  container: Docker.Container,
  dir: string,
  name: string,
  body: Readable,
  size: number,
  owner: FileOwnership = { mode: 0o644, uid: 0, gid: 0 },
): Promise<void> {
  await runExec(container, ['mkdir', '-p', dir], { timeoutMs: 10_000, outputCapBytes: 4096 });
  const abort = new AbortController();
  const archive = new PassThrough();
  let seen = 0;
  let failure: Error | null = null;
  const fail = (err: Error) => {
    if (failure) return;
    failure = err;
    body.unpipe(archive);
    abort.abort(err);
    archive.destroy();
  };
  archive.write(ustarHeader(name, size, owner));
  body.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > size) fail(new Error(`the upload ran past its declared ${size} bytes`));
  });
  body.on('error', (err) => fail(err));
  body.on('close', () => {
    if (!body.readableEnded) fail(new Error('the upload was interrupted'));
  });
  body.on('end', () => {
    if (seen !== size) return fail(new Error(`the upload ended after ${seen} of ${size} bytes`));
    archive.end(Buffer.alloc((512 - (size % 512)) % 512 + 1024, 0));
  });
  body.pipe(archive, { end: false });
  try {
    await container.putArchive(archive as unknown as NodeJS.ReadableStream, { path: dir, abortSignal: abort.signal });
  } catch (err) {
    throw failure ?? err;
  }
  if (failure) throw failure;
}
