import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS } from '../store/migrations';
import { dataDirHolder } from './data-dir-lock';

/**
 * `berth backup` and `berth restore`. A backup is SQLite's online backup of
 * berth.sqlite, taken while Berth serves (it copies a consistent snapshot page
 * by page and never blocks Berth for long). A restore swaps the file in only
 * while no Berth serves from the data dir, and only a file that is a Berth
 * database this Berth can read.
 */

export const DATABASE_FILE = 'berth.sqlite';
/** Tables every Berth database has had since the first schema. */
const BERTH_TABLES = ['settings', 'students', 'sessions', 'progress'];

export interface DatabaseFacts {
  schemaVersion: number;
  students: number;
  sessions: number;
  bytes: number;
}

export function databasePath(dataDir: string): string {
  return path.join(path.resolve(dataDir), DATABASE_FILE);
}

/** Opens `file` read-only and says whether it is a Berth database this Berth can serve; throws in words if not. */
export function inspectBerthDatabase(file: string): DatabaseFacts {
  if (!fs.existsSync(file)) throw new Error(`${file} does not exist`);
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new Error(`${file} cannot be opened as SQLite (${err instanceof Error ? err.message : String(err)})`, { cause: err });
  }
  try {
    let ok: unknown;
    try {
      ok = db.pragma('quick_check', { simple: true });
    } catch (err) {
      throw new Error(`${file} is not a SQLite database (${err instanceof Error ? err.message : String(err)})`, { cause: err });
    }
    if (ok !== 'ok') throw new Error(`${file} is damaged: SQLite's check says ${String(ok)}`);
    const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((t) => t.name));
    const missing = BERTH_TABLES.filter((t) => !tables.has(t));
    if (missing.length) throw new Error(`${file} is not a Berth database (no ${missing.join(', ')} table${missing.length > 1 ? 's' : ''})`);
    const schemaVersion = db.pragma('user_version', { simple: true }) as number;
    if (schemaVersion < 1) throw new Error(`${file} has no Berth schema version (user_version 0)`);
    if (schemaVersion > MIGRATIONS.length) {
      throw new Error(`${file} is at schema version ${schemaVersion}, newer than this Berth (${MIGRATIONS.length}): restore it with the Berth that made it, or upgrade`);
    }
    const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { schemaVersion, students: count('students'), sessions: count('sessions'), bytes: fs.statSync(file).size };
  } finally {
    db.close();
  }
}

/** Online backup of the data dir's database into `target` (written whole, then renamed into place). */
export async function backupDatabase(dataDir: string, target: string, onProgress?: (done: number, total: number) => void): Promise<DatabaseFacts> {
  const source = databasePath(dataDir);
  if (!fs.existsSync(source)) throw new Error(`there is no Berth database at ${source} (set BERTH_DATA_DIR to Berth's data folder)`);
  const dest = path.resolve(target);
  if (dest === source) throw new Error('the backup must not be the database itself');
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const partial = `${dest}.partial-${process.pid}`;
  const db = new Database(source, { fileMustExist: true });
  try {
    // A busy Berth writes while we copy: SQLite restarts the copy of changed pages, so pass many at a time.
    db.pragma('busy_timeout = 5000');
    await db.backup(partial, {
      progress({ totalPages, remainingPages }) {
        onProgress?.(totalPages - remainingPages, totalPages);
        return 256;
      },
    });
  } catch (err) {
    fs.rmSync(partial, { force: true });
    throw err;
  } finally {
    db.close();
  }
  const facts = inspectBerthDatabase(partial);
  fs.renameSync(partial, dest);
  return facts;
}

/** Replaces the data dir's database with `file`; the one it replaces is kept beside it. */
export function restoreDatabase(dataDir: string, file: string, now = new Date()): { facts: DatabaseFacts; previous: string | null } {
  const source = path.resolve(file);
  const facts = inspectBerthDatabase(source);
  const holder = dataDirHolder(dataDir);
  if (holder !== null) {
    throw new Error(
      `Berth (pid ${holder}) is serving from ${path.resolve(dataDir)}; restoring under it would lose or corrupt data. Stop it first (docker compose stop berth), restore, then start it again`,
    );
  }
  const target = databasePath(dataDir);
  if (source === target) throw new Error(`${file} is the database itself`);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  let previous: string | null = null;
  if (fs.existsSync(target)) {
    // Fold the write-ahead log into the file so the kept copy is complete on its own.
    const old = new Database(target, { fileMustExist: true });
    old.pragma('wal_checkpoint(TRUNCATE)');
    old.close();
    previous = `${target}.before-restore-${now.toISOString().replace(/[:.]/g, '-')}`;
    fs.renameSync(target, previous);
  }
  for (const suffix of ['-wal', '-shm']) fs.rmSync(`${target}${suffix}`, { force: true });
  const partial = `${target}.restoring-${process.pid}`;
  fs.copyFileSync(source, partial);
  fs.renameSync(partial, target);
  return { facts, previous };
}
