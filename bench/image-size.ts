/**
 * What a lab machine image holds: its size, the largest installed packages and
 * the largest folders, read from a throwaway container of the image
 * (BENCH_IMAGE, default the configured dind image). Nothing is changed.
 *
 *   npm run build:server && node dist/bench/image-size.js
 */
import { loadConfig } from '../server/config';
import { connectDocker } from '../server/docker/engine';
import { runExec } from '../server/docker/exec';
import { hostSummary, printTable, runMain } from './util';

const MiB = 1024 ** 2;

/** Lines of `<KiB>\t<name>` (what dpkg-query and du print) as a table of names and MiB. */
function printKiBTable(title: string, what: string, lines: string): void {
  printTable(
    title,
    [what, 'MiB'],
    lines.split('\n').map((l) => {
      const [kib, name] = l.split('\t');
      return [name, (Number(kib) / 1024).toFixed(1)];
    }),
  );
}

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const image = process.env.BENCH_IMAGE || config.docker.images.dind;
  const docker = connectDocker();
  const info = await docker.getImage(image).inspect();
  console.log(`image-size: ${image} (${info.Id.slice(7, 19)}), ${(info.Size / MiB).toFixed(0)} MiB uncompressed`);
  console.log(hostSummary());
  const container = await docker.createContainer({ Image: image, Entrypoint: ['sleep', 'infinity'], Labels: { 'io.berth.instance': 'bench-image-size' }, NetworkDisabled: true });
  try {
    await container.start();
    const run = async (script: string) => (await runExec(container, ['/bin/sh', '-c', script], { timeoutMs: 60_000, outputCapBytes: 64 * 1024 })).stdout.trim();
    const packages = await run("dpkg-query -Wf '${Installed-Size}\\t${Package}\\n' | sort -rn | head -15");
    printKiBTable('Largest installed packages', 'package', packages);
    const folders = await run('du -xsk /usr/bin /usr/lib /usr/libexec /usr/share /usr/sbin /var/cache /var/lib /etc 2>/dev/null | sort -rn');
    printKiBTable('Largest folders', 'folder', folders);
    const count = await run('dpkg-query -W | wc -l');
    const docs = await run('du -xsk /usr/share/doc /usr/share/man /usr/share/locale /var/cache/apt 2>/dev/null | awk \'{s+=$1} END {print s}\'');
    console.log(`\n${count} packages; docs, man pages, translations and the apt cache together: ${(Number(docs) / 1024).toFixed(1)} MiB`);
  } finally {
    await container.remove({ force: true });
  }
  process.exit(0);
}

runMain(main);
