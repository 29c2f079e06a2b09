import fs from 'node:fs';
import path from 'node:path';

/**
 * `berth serve` writes its pid into the data dir (berth.pid) so that `berth
 * restore` can refuse to swap the database under a running Berth. A pid file
 * can outlive its process (kill -9, a new container) and its number can be
 * reused, so a holder counts only if that process is alive and is a `serve`.
 */

export const PID_FILE = 'berth.pid';

/** Data dirs served by this very process (tests run several Berths in one). */
const claimedHere = new Set<string>();

function pidFile(dataDir: string): string {
  return path.join(path.resolve(dataDir), PID_FILE);
}

function isServe(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: alive but someone else's; a Berth under another user still counts.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    // `berth serve` or `node …/cli.js serve`: a reused pid of anything else is not a Berth.
    return argv.includes('serve') && argv.some((a) => /(^|\/)(berth|cli\.js)$/.test(a));
  } catch {
    return true; // no /proc (macOS): alive is all we can tell
  }
}

/** The pid of the Berth serving from `dataDir`, or null. */
export function dataDirHolder(dataDir: string): number | null {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(pidFile(dataDir), 'utf8').trim());
  } catch {
    return null; // no pid file (or none readable): nobody serves from here
  }
  if (!Number.isInteger(pid) || pid <= 0) return null;
  if (pid === process.pid) return claimedHere.has(path.resolve(dataDir)) ? pid : null;
  return isServe(pid) ? pid : null;
}

export function claimDataDir(dataDir: string): void {
  const holder = dataDirHolder(dataDir);
  if (holder !== null && holder !== process.pid) {
    throw new Error(`another Berth (pid ${holder}) is serving from ${path.resolve(dataDir)}: two on one database would corrupt each other's state`);
  }
  fs.mkdirSync(path.resolve(dataDir), { recursive: true });
  fs.writeFileSync(pidFile(dataDir), `${process.pid}\n`);
  claimedHere.add(path.resolve(dataDir));
}

export function releaseDataDir(dataDir: string): void {
  claimedHere.delete(path.resolve(dataDir));
  try {
    if (Number(fs.readFileSync(pidFile(dataDir), 'utf8').trim()) === process.pid) fs.rmSync(pidFile(dataDir));
  } catch {
    /* already gone */
  }
}
