import type { Command } from 'commander';
import { loadConfig } from '../config';
import { labImages, selectLabFolders, type ImageRef } from './lab-images';
import { mirrorStatus, mirrorUrlFromHost } from './mirror-status';
import { MirrorClient, formatBytes, formatProgress } from './prefetch';
import { backupDatabase, restoreDatabase } from './backup';
import { takeDown } from './down';

/**
 * The operator's commands: filling the mirror, backup and restore, taking a
 * Berth down. Each prints for a person (these are not server logs).
 */

const out = (line: string) => process.stdout.write(`${line}\n`);

async function prefetchCommand(labIds: string[], opts: { all?: boolean; mirror?: string }): Promise<void> {
  const config = loadConfig();
  const mirror = (opts.mirror ?? mirrorUrlFromHost(config.docker.registryMirror)).replace(/\/+$/, '');
  if (!mirror) throw new Error('no mirror to fill: BERTH_REGISTRY_MIRROR is empty (or pass --mirror URL)');
  const labs = selectLabFolders(config.labsDir, labIds, Boolean(opts.all));
  const status = await mirrorStatus(mirror);
  if (!status.reachable) throw new Error(`the mirror is not reachable: ${status.error}`);
  out(`mirror ${mirror} (${status.mode})`);
  if (status.mode === 'cache-only') out('  its upstream is unreachable: only images it already has can be fetched');

  const wanted = new Map<string, { ref: ImageRef; labs: string[] }>();
  for (const lab of labs) {
    for (const ref of labImages(lab.folder)) {
      const key = `${ref.repository}:${ref.reference}`;
      const entry = wanted.get(key) ?? { ref, labs: [] };
      entry.labs.push(lab.id);
      wanted.set(key, entry);
    }
  }
  out(`${wanted.size} image(s) used by ${labs.length} lab(s)`);
  const client = new MirrorClient(mirror);
  const live = process.stdout.isTTY;
  let failed = 0;
  let total = 0;
  let lastDraw = 0;
  for (const { ref, labs: usedBy } of wanted.values()) {
    const result = await client.prefetch(ref, (p) => {
      // Redraw at most ten times a second; a pipe (cron, CI) gets the final line only.
      if (!live || (Date.now() - lastDraw < 100 && p.blobsDone < p.blobs)) return;
      lastDraw = Date.now();
      process.stdout.write(`\r\x1b[K  ${formatProgress(p)}`);
    });
    if (live) process.stdout.write('\r\x1b[K');
    total += result.bytes;
    if (result.ok) {
      const shared = result.shared ? `, ${result.shared} shared with images above` : '';
      out(`  ok    ${result.image.padEnd(28)} ${result.blobs} blobs, ${formatBytes(result.bytes)}${shared}  (${usedBy.join(', ')})`);
    } else {
      failed++;
      out(`  FAIL  ${result.image.padEnd(28)} ${result.error}  (${usedBy.join(', ')})`);
    }
  }
  out(`${wanted.size - failed} of ${wanted.size} image(s) in the mirror, ${formatBytes(total)}`);
  if (failed) process.exitCode = 1;
}

async function backupCommand(file: string): Promise<void> {
  const config = loadConfig();
  const live = process.stdout.isTTY;
  const facts = await backupDatabase(config.dataDir, file, (done, total) => {
    if (live) process.stdout.write(`\r\x1b[Kcopying ${done}/${total} pages`);
  });
  if (live) process.stdout.write('\r\x1b[K');
  out(`backup written to ${file}: ${formatBytes(facts.bytes)}, schema version ${facts.schemaVersion}, ${facts.students} student(s), ${facts.sessions} session(s)`);
}

function restoreCommand(file: string): void {
  const config = loadConfig();
  const { facts, previous } = restoreDatabase(config.dataDir, file);
  out(`restored ${file} into ${config.dataDir}: schema version ${facts.schemaVersion}, ${facts.students} student(s), ${facts.sessions} session(s)`);
  if (previous) out(`the database it replaced is kept as ${previous}`);
  out('start Berth again: it re-adopts the lab machines that still exist and ends the sessions whose machines are gone');
}

export function registerOpsCommands(program: Command, images: Command): void {
  images
    .command('prefetch')
    .description("fill the registry mirror with every Docker Hub image the labs use (read from the labs' files)")
    .argument('[labs...]', 'lab ids')
    .option('--all', 'every lab under BERTH_LABS_DIR')
    .option('--mirror <url>', 'the mirror to fill (default: BERTH_REGISTRY_MIRROR, as seen from this host)')
    .action(prefetchCommand);
  program
    .command('down')
    .description("end every session and remove all of this instance's Docker objects (machines, networks, volumes); Berth must be stopped")
    .action(async () => {
      await takeDown(loadConfig(), out);
    });
  program
    .command('backup')
    .description("copy Berth's database to FILE while Berth keeps serving (SQLite online backup)")
    .argument('<file>', 'where to write the backup')
    .action(backupCommand);
  program
    .command('restore')
    .description("replace Berth's database with a backup; refuses while a Berth serves from the data folder")
    .argument('<file>', 'a file written by `berth backup`')
    .action(restoreCommand);
}
