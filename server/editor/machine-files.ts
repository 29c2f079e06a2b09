import crypto from 'node:crypto';
import path from 'node:path';
import { Readable } from 'node:stream';
import tarStream from 'tar-stream';
import { MachinePathNotFound, type BackendState, type FileOwnership, type LabBackend } from '../backend/lab-backend';
import type { EditorEntry, EditorFile, EditorListing } from '../contracts/editor';

export type EditorErrorCode = 'invalid' | 'not_found' | 'conflict' | 'too_large' | 'binary' | 'not_a_file';

/** What went wrong, in words a student can act on; `current` is the machine's version on a conflict. */
export class EditorError extends Error {
  constructor(
    readonly code: EditorErrorCode,
    message: string,
    readonly current?: EditorFile,
  ) {
    super(message);
  }
}

const MAX_ENTRIES = 2000;
const SYMLINK_HOPS = 8;

/**
 * The kernel's views of the machine, not files: the copy API does not see
 * them (they are mounted only inside the machine), so reading would say "no
 * such file" and saving would write beneath the mount where nothing reads it.
 */
const KERNEL_DIRS = ['/proc', '/sys', '/dev'];

/** Refuses a path in /proc, /sys or /dev, named directly or reached through links. */
export function refuseKernelPath(p: string, asked = p): void {
  const top = KERNEL_DIRS.find((d) => p === d || p.startsWith(`${d}/`));
  if (top) {
    const via = asked === p ? '' : ` (${asked} links there)`;
    throw new EditorError('invalid', `${p} is in ${top}, the kernel's view of the machine${via}; the editor opens files only (use the terminal).`);
  }
}

/**
 * An absolute path inside the machine, normalized. `..` segments are refused
 * outright rather than resolved: the tree navigates up by its own buttons, and
 * a path that climbs is nearly always a mistake or a probe.
 */
export function machinePath(raw: unknown, field = 'path'): string {
  const value = typeof raw === 'string' ? raw : '';
  if (!value.startsWith('/') || value.length > 1024 || /[\0\n\r]/.test(value)) {
    throw new EditorError('invalid', `${field} must be an absolute path in the machine, such as /root/Dockerfile.`);
  }
  if (value.split('/').includes('..')) throw new EditorError('invalid', `${field} may not contain "..".`);
  const normal = path.posix.normalize(value);
  return normal.length > 1 && normal.endsWith('/') ? normal.slice(0, -1) : normal;
}

/**
 * A shell check that `$1`, with the links among its folders resolved by the
 * machine itself, is not in /proc, /sys or /dev (exit 5): a folder linked
 * there must not carry the tree or a new folder into them.
 */
const KERNEL_CHECK = `inside() { p="$1"; while [ ! -d "$p" ]; do p="\${p%/*}"; [ -n "$p" ] || p=/; done; r=$(cd -P -- "$p" && pwd -P) || exit 1; case "$r/" in /proc/*|/sys/*|/dev/*) exit 5;; esac; }; `;

/** Single-quoted for bash: the only character that needs care inside is the quote itself. */
function quote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function contentHash(bytes: Buffer): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

/** Text the editor can show: valid UTF-8 without NUL bytes. */
export function decodeText(bytes: Buffer): string | null {
  if (bytes.includes(0)) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

interface RawFile {
  /** Where the links led: the regular file that was read. */
  path: string;
  bytes: Buffer;
  owner: FileOwnership;
  mtimeMs: number;
}

/**
 * The editor's view of a machine's files, built only on the backend's copy
 * API and short execs: nothing runs or listens inside the machine for it.
 */
export class MachineFiles {
  constructor(
    private readonly backend: LabBackend,
    private readonly maxBytes: number,
  ) {}

  async list(state: BackendState, machine: string, dir: string): Promise<EditorListing> {
    refuseKernelPath(dir);
    const script = `${KERNEL_CHECK}d=${quote(dir)}; [ -d "$d" ] || { echo missing >&2; exit 3; }; inside "$d"; find "$d" -mindepth 1 -maxdepth 1 -printf '%y\\t%s\\t%m\\t%T@\\t%f\\0' 2>/dev/null | head -z -n ${MAX_ENTRIES + 1}`;
    const out = await this.backend.exec(state, machine, script, { timeoutMs: 10_000, outputCapBytes: 1024 * 1024 });
    if (out.exitCode === 3) throw new EditorError('not_found', `There is no folder ${dir} in ${machine}.`);
    if (out.exitCode === 5) throw kernelLink(dir);
    if (out.exitCode !== 0) throw new EditorError('invalid', `The folder ${dir} could not be listed.`);
    const entries: EditorEntry[] = [];
    for (const line of out.stdout.split('\0')) {
      const [type, size, mode, mtime, ...rest] = line.split('\t');
      const name = rest.join('\t');
      if (!name) continue;
      entries.push({
        name,
        path: dir === '/' ? `/${name}` : `${dir}/${name}`,
        kind: type === 'd' ? 'dir' : type === 'l' ? 'link' : type === 'f' ? 'file' : 'other',
        size: Number(size),
        mode: parseInt(mode, 8),
        mtimeMs: Math.round(Number(mtime) * 1000),
      });
    }
    const truncated = entries.length > MAX_ENTRIES;
    entries.splice(MAX_ENTRIES);
    entries.sort((a, b) => Number(b.kind === 'dir') - Number(a.kind === 'dir') || a.name.localeCompare(b.name));
    return { path: dir, entries, truncated };
  }

  async read(state: BackendState, machine: string, file: string): Promise<EditorFile> {
    const raw = await this.readRaw(state, machine, file);
    const text = decodeText(raw.bytes);
    if (text === null) throw new EditorError('binary', `${file} is not a text file; the editor opens text only (download it instead).`);
    return { path: file, content: text, hash: contentHash(raw.bytes), mode: raw.owner.mode, size: raw.bytes.length, mtimeMs: raw.mtimeMs };
  }

  /**
   * Saves `content` unless the file changed in the machine since the editor
   * loaded the version hashed `expectedHash` (null: the file must not exist
   * yet). `force` overwrites anyway. Mode and owner of an existing file stay.
   */
  async save(state: BackendState, machine: string, file: string, content: string, expectedHash: string | null, force: boolean): Promise<EditorFile> {
    const bytes = Buffer.from(content, 'utf8');
    if (bytes.length > this.maxBytes) throw new EditorError('too_large', `The file is larger than the ${formatSize(this.maxBytes)} the editor saves.`);
    const found = await this.follow(state, machine, file);
    const current = 'bytes' in found ? found : null;
    const currentHash = current ? contentHash(current.bytes) : null;
    if (!force && currentHash !== expectedHash) {
      const text = current ? decodeText(current.bytes) : null;
      const mine = current ? { path: file, content: text ?? '', hash: currentHash!, mode: current.owner.mode, size: current.bytes.length, mtimeMs: current.mtimeMs } : undefined;
      throw new EditorError(
        'conflict',
        current ? `${file} changed in the machine since you opened it.` : `${file} was deleted in the machine since you opened it.`,
        mine,
      );
    }
    const owner = current?.owner ?? { mode: 0o644, uid: 0, gid: 0 };
    // Into the file the links lead to: writing at `file` would replace a link with a regular file.
    const dir = await this.physicalDir(state, machine, path.posix.dirname(found.path));
    refuseKernelPath(path.posix.join(dir, path.posix.basename(found.path)), file);
    await this.backend.writeFile(state, machine, dir, path.posix.basename(found.path), Readable.from([bytes]), bytes.length, owner);
    return { path: file, content, hash: contentHash(bytes), mode: owner.mode, size: bytes.length, mtimeMs: Date.now() };
  }

  async mkdir(state: BackendState, machine: string, dir: string): Promise<void> {
    refuseKernelPath(dir);
    await this.run(state, machine, `${KERNEL_CHECK}d=${quote(dir)}; [ -e "$d" ] && { echo exists >&2; exit 4; }; inside "$d"; mkdir -p -- "$d"`, dir);
  }

  async rename(state: BackendState, machine: string, from: string, to: string): Promise<void> {
    refuseKernelPath(from);
    refuseKernelPath(to);
    await this.run(state, machine, `${KERNEL_CHECK}a=${quote(from)}; b=${quote(to)}; [ -e "$a" ] || [ -L "$a" ] || exit 3; [ -e "$b" ] && { echo exists >&2; exit 4; }; inside "$b"; mv -- "$a" "$b"`, to);
  }

  async remove(state: BackendState, machine: string, target: string): Promise<void> {
    if (target === '/') throw new EditorError('invalid', 'The root folder cannot be deleted.');
    refuseKernelPath(target);
    await this.run(state, machine, `p=${quote(target)}; [ -e "$p" ] || [ -L "$p" ] || exit 3; rm -rf -- "$p"`, target);
  }

  private async run(state: BackendState, machine: string, script: string, subject: string): Promise<void> {
    const out = await this.backend.exec(state, machine, script, { timeoutMs: 20_000, outputCapBytes: 16 * 1024 });
    if (out.exitCode === 0) return;
    if (out.exitCode === 3) throw new EditorError('not_found', `There is no ${subject} in ${machine}.`);
    if (out.exitCode === 4) throw new EditorError('conflict', `${subject} already exists.`);
    if (out.exitCode === 5) throw kernelLink(subject);
    throw new EditorError('invalid', `That did not work in ${machine}: ${out.stderr.trim().split('\n').pop()?.slice(0, 200) || `exit ${out.exitCode}`}`);
  }

  /**
   * `dir` with the links among its folders resolved by the machine's own
   * shell (folders not made yet are kept as named), so a folder linked into
   * /proc or /sys is seen before anything is made there.
   */
  private async physicalDir(state: BackendState, machine: string, dir: string): Promise<string> {
    const script = `d=${quote(dir)}; p="$d"; while [ ! -d "$p" ]; do p="\${p%/*}"; [ -n "$p" ] || p=/; done; r=$(cd -P -- "$p" && pwd -P) || exit 1; printf '%s/%s' "$r" "\${d#"$p"}"`;
    const out = await this.backend.exec(state, machine, script, { timeoutMs: 10_000, outputCapBytes: 8 * 1024 });
    if (out.exitCode !== 0) throw new EditorError('invalid', `The folder ${dir} could not be reached in ${machine}.`);
    return path.posix.normalize(out.stdout).replace(/(.)\/$/, '$1');
  }

  /** One regular file's bytes and ownership out of the copy API's tar, following symlinks inside the machine. */
  private async readRaw(state: BackendState, machine: string, file: string): Promise<RawFile> {
    const found = await this.follow(state, machine, file);
    if (!('bytes' in found)) throw new EditorError('not_found', `There is no file ${file} in ${machine}.`);
    return found;
  }

  /**
   * Follows `file`'s links to a regular file, or to the path where a missing
   * one would be. Links are resolved against the machine's root, as the
   * shell inside it would: a target that climbs past / stays at /, and the
   * copy API reads the machine's files only, so no link reaches Berth's host.
   */
  private async follow(state: BackendState, machine: string, file: string, asked = file, hops = 0): Promise<RawFile | { path: string }> {
    refuseKernelPath(file, asked);
    let archive: Readable;
    try {
      archive = await this.backend.copyOut(state, machine, file);
    } catch (err) {
      if (err instanceof MachinePathNotFound) return { path: file };
      throw err;
    }
    const first = await firstEntry(archive, this.maxBytes);
    if (first.type === 'symlink' && first.linkname) {
      if (hops >= SYMLINK_HOPS) throw new EditorError('invalid', `${asked} is a chain of links too long to follow.`);
      const target = first.linkname.startsWith('/') ? first.linkname : path.posix.join(path.posix.dirname(file), first.linkname);
      return this.follow(state, machine, path.posix.normalize(target), asked, hops + 1);
    }
    if (first.type === 'directory') throw new EditorError('not_a_file', `${file} is a folder.`);
    if (first.type !== 'file') throw new EditorError('not_a_file', `${file} is not a regular file.`);
    if (first.tooLarge) throw new EditorError('too_large', `${file} is larger than the ${formatSize(this.maxBytes)} the editor opens (download it instead).`);
    return { path: file, bytes: first.bytes, owner: first.owner, mtimeMs: first.mtimeMs };
  }
}

interface Entry {
  type: string;
  linkname?: string;
  bytes: Buffer;
  tooLarge: boolean;
  owner: FileOwnership;
  mtimeMs: number;
}

/** Reads the first entry of a tar stream, never more than `max` bytes of it, then lets the rest go. */
function firstEntry(archive: Readable, max: number): Promise<Entry> {
  return new Promise((resolve, reject) => {
    const extract = tarStream.extract();
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      archive.unpipe(extract);
      archive.destroy();
      extract.destroy();
      fn();
    };
    extract.on('entry', (header, stream, next) => {
      const base = {
        type: header.type ?? 'file',
        linkname: header.linkname ?? undefined,
        owner: { mode: (header.mode ?? 0o644) & 0o7777, uid: header.uid ?? 0, gid: header.gid ?? 0 },
        mtimeMs: header.mtime ? header.mtime.getTime() : Date.now(),
      };
      if (base.type !== 'file' || (header.size ?? 0) > max) {
        stream.resume();
        finish(() => resolve({ ...base, bytes: Buffer.alloc(0), tooLarge: (header.size ?? 0) > max }));
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => {
        chunks.push(c as Buffer);
      });
      stream.on('end', () => finish(() => resolve({ ...base, bytes: Buffer.concat(chunks), tooLarge: false })));
      stream.on('error', (err) => finish(() => reject(err)));
      void next;
    });
    extract.on('finish', () => finish(() => reject(new EditorError('not_found', 'The machine sent an empty archive.'))));
    extract.on('error', (err) => finish(() => reject(err)));
    archive.on('error', (err) => finish(() => reject(err)));
    archive.pipe(extract);
  });
}

function kernelLink(p: string): EditorError {
  return new EditorError('invalid', `${p} leads into /proc, /sys or /dev through a link: the kernel's view of the machine; the editor opens files only (use the terminal).`);
}

function formatSize(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / 1024 / 1024)} MiB` : `${Math.round(bytes / 1024)} KiB`;
}
