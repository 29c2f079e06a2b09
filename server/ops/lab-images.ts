import fs from 'node:fs';
import path from 'node:path';
import { labFolders } from '../labs/loader';

/**
 * Which Docker Hub images a lab's students will pull, read from the lab's own
 * files: compose `image:` lines, Dockerfile `FROM`s, and `docker pull|run|create`
 * and `docker service create` commands in the Markdown's fenced blocks and in
 * shell scripts. Images the lab builds itself (`docker build -t`, `docker tag`)
 * are left out: no registry has them.
 */

export interface ImageRef {
  /** As written in the lab, e.g. `python:3-slim`. */
  name: string;
  /** Repository path on Docker Hub, e.g. `library/python`. */
  repository: string;
  /** A tag, or a digest `sha256:…`. */
  reference: string;
}

/** Berth's machine images in a lab's front matter, not Hub images. */
const MACHINE_IMAGES = new Set(['dind', 'shell']);
const TEXT_FILE = /(^Dockerfile|\.(md|ya?ml|sh|txt|conf|dockerfile|env)$|^Containerfile)/i;
const MAX_FILE_BYTES = 512 * 1024;

/**
 * Options of `docker run`/`create`/`pull`/`service create` that take no value; every
 * other option takes the next word (unless written --opt=value), so a new Docker
 * option is more likely to be skipped right than to be taken for the image.
 */
const BOOLEAN_FLAGS = new Set(
  (
    '-d -i -t -P -q -it -ti -dit -itd -td -dt --detach --interactive --tty --rm --init --privileged --read-only --publish-all ' +
    '--oom-kill-disable --no-healthcheck --quiet --all-tags --disable-content-trust --no-resolve-image --with-registry-auth'
  ).split(' '),
);

const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const REFERENCE = new RegExp(
  `^(?:([a-z0-9.-]+(?::\\d+)?)/)?(${COMPONENT}(?:/${COMPONENT})*)(?::([\\w][\\w.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$`,
);

/** `nginx` → library/nginx:latest; null for what is not a Docker Hub reference. */
export function parseImageRef(raw: string): ImageRef | null {
  const name = raw.trim().replace(/^["']|["']$/g, '');
  if (!name || /[$`{}]/.test(name)) return null; // variables and templates: unknown until run time
  const m = REFERENCE.exec(name);
  if (!m) return null;
  let host: string | undefined = m[1];
  let repo = m[2];
  const [, , , tag, digest] = m;
  // The first part is a registry host only if it looks like one (a dot, a port, or localhost).
  if (host && !/[.:]/.test(host) && host !== 'localhost') {
    repo = `${host}/${repo}`;
    host = undefined;
  }
  if (host && host !== 'docker.io' && host !== 'index.docker.io' && host !== 'registry-1.docker.io') return null;
  if (repo === 'scratch') return null;
  const repository = repo.includes('/') ? repo : `library/${repo}`;
  return { name, repository, reference: digest ?? tag ?? 'latest' };
}

/** The image word of a `docker run|create|pull|service create …` command, flags skipped. */
function imageOfCommand(words: string[]): string | null {
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w === '--') return words[i + 1] ?? null;
    if (w.startsWith('-')) {
      if (!w.includes('=') && !BOOLEAN_FLAGS.has(w)) i++;
      continue;
    }
    // `…and docker pull it"` is a sentence inside a quoted message, not a command.
    return /^[^"']*["'),.]+$/.test(w) ? null : w;
  }
  return null;
}

/** Image names a piece of shell, Compose or Dockerfile text mentions, and the names it builds itself. */
export function imagesInText(text: string): { used: string[]; built: string[] } {
  const used: string[] = [];
  const built: string[] = [];
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.replace(/\s+#.*$/, '');
    const yaml = /^\s*-?\s*image:\s*["']?([^\s"'#]+)/.exec(line);
    if (yaml) used.push(yaml[1]);
    const from = /^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)/i.exec(line);
    if (from) used.push(from[1]);
    // One line may chain several commands: docker run … && docker pull …
    for (const part of line.split(/&&|\|\||;|\||\$\(|`/)) {
      const words = part.trim().split(/\s+/);
      const at = words.indexOf('docker');
      if (at < 0) continue;
      // Inside an echo'd message or an open quote: words about docker, not a command.
      const before = words.slice(0, at).join(' ');
      if (/^(echo|printf)$/.test(words[0]) || (before.match(/["']/g) ?? []).length % 2 === 1) continue;
      const [verb, sub] = [words[at + 1], words[at + 2]];
      const rest = words.slice(at + 2);
      if (verb === 'pull' || verb === 'run' || verb === 'create') {
        const image = imageOfCommand(rest);
        if (image) used.push(image);
      } else if ((verb === 'service' && sub === 'create') || (verb === 'container' && (sub === 'run' || sub === 'create'))) {
        const image = imageOfCommand(words.slice(at + 3));
        if (image) used.push(image);
      } else if (verb === 'build' || (verb === 'image' && sub === 'build')) {
        for (let i = 0; i < rest.length; i++) if (rest[i] === '-t' || rest[i] === '--tag') built.push(rest[i + 1] ?? '');
        for (const w of rest) if (/^--tag=/.test(w)) built.push(w.slice(6));
      } else if (verb === 'commit' || (verb === 'container' && sub === 'commit')) {
        const args = (verb === 'commit' ? rest : words.slice(at + 3)).filter((w) => !w.startsWith('-'));
        if (args[1]) built.push(args[1]);
      } else if (verb === 'tag' || (verb === 'image' && sub === 'tag')) {
        const args = verb === 'tag' ? rest : words.slice(at + 3);
        if (args[1]) built.push(args[1]);
        if (args[0]) used.push(args[0]);
      }
    }
  }
  return { used, built };
}

function textFiles(folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.isFile() && TEXT_FILE.test(e.name) && fs.statSync(full).size <= MAX_FILE_BYTES) out.push(full);
    }
  };
  walk(folder);
  // lab.md first: its images are listed in the order students meet them.
  const main = path.join(folder, 'lab.md');
  return out.sort((x, y) => Number(y === main) - Number(x === main) || x.localeCompare(y));
}

/** The Hub images one lab folder uses, deduplicated, in the order they first appear. */
export function labImages(folder: string): ImageRef[] {
  const used: string[] = [];
  const built = new Set<string>();
  for (const file of textFiles(folder)) {
    let text = fs.readFileSync(file, 'utf8');
    if (file.endsWith('lab.md')) text = text.replace(/^---\n[\s\S]*?\n---\n/, (front) => front.replace(/^\s*image:.*$/gm, (l) => (MACHINE_IMAGES.has(l.split(':')[1].trim()) ? '' : l)));
    // Prose is not commands: in Markdown only fenced blocks and the front matter count.
    if (file.endsWith('.md')) text = (text.match(/^---\n[\s\S]*?\n---\n|^(```|~~~)[^\n]*\n[\s\S]*?^\1/gm) ?? []).join('\n');
    const found = imagesInText(text);
    used.push(...found.used);
    for (const b of found.built) built.add(b);
  }
  const seen = new Set<string>();
  const refs: ImageRef[] = [];
  for (const name of used) {
    const ref = parseImageRef(name);
    if (!ref || MACHINE_IMAGES.has(name) || built.has(name) || built.has(name.split(':')[0])) continue;
    const key = `${ref.repository}:${ref.reference}`;
    if (seen.has(key)) continue;
    seen.add(key);
    refs.push(ref);
  }
  return refs;
}

/** Lab folders by id (front matter `id:`, else the folder name); unknown ids are an error naming them. */
export function selectLabFolders(labsDir: string, ids: string[], all: boolean): Array<{ id: string; folder: string }> {
  const folders = labFolders(labsDir).map((folder) => {
    const front = /^---\n([\s\S]*?)\n---/.exec(fs.readFileSync(path.join(folder, 'lab.md'), 'utf8'))?.[1] ?? '';
    const id = /^id:\s*["']?([\w.-]+)/m.exec(front)?.[1] ?? path.basename(folder);
    return { id, folder };
  });
  if (all) return folders;
  if (!ids.length) throw new Error('name the labs to prefetch (their ids), or --all for every lab');
  const unknown = ids.filter((id) => !folders.some((f) => f.id === id || path.basename(f.folder) === id));
  if (unknown.length) {
    throw new Error(`no lab ${unknown.map((u) => `"${u}"`).join(', ')} under ${labsDir} (labs: ${folders.map((f) => f.id).join(', ')})`);
  }
  return folders.filter((f) => ids.includes(f.id) || ids.includes(path.basename(f.folder)));
}
