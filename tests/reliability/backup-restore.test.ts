import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { join } from '../contract/harness';
import { baseEnv, berth, serve, type ServeChild } from '../tools/serve-child';

/**
 * berth backup while Berth serves, berth restore refused while it serves and
 * accepted once it is stopped, and the restored database serving again: the
 * student who joined before the backup is there, the one after it is not.
 */
jest.setTimeout(180_000);

const instance = `rel-backup-${Math.random().toString(36).slice(2, 8)}`;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-backup-'));
const backups = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-backups-'));
const env = baseEnv(instance, dataDir);
let server: ServeChild | undefined;

afterAll(async () => {
  if (server && server.child.exitCode === null) {
    server.child.kill('SIGTERM');
    await server.exited;
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(backups, { recursive: true, force: true });
});

/** The database is the truth; read beside the running Berth (WAL readers do not block it). */
function studentNames(): string[] {
  const db = new Database(path.join(dataDir, 'berth.sqlite'), { readonly: true });
  try {
    return (db.prepare('SELECT name FROM students ORDER BY name').all() as Array<{ name: string }>).map((r) => r.name);
  } finally {
    db.close();
  }
}

test('a backup taken while Berth serves restores once Berth is stopped, and not before', async () => {
  server = await serve(env);
  await join(server.url, 'Before Backup');
  const file = path.join(backups, 'nightly.sqlite');
  const backup = berth(['backup', file], env);
  expect(backup.out).toMatch(/backup written to .*schema version \d+, 1 student/);
  expect(backup.code).toBe(0);
  await join(server.url, 'After Backup');
  expect(studentNames()).toEqual(['After Backup', 'Before Backup']);

  const refused = berth(['restore', file], env);
  expect(refused.code).toBe(1);
  expect(refused.out).toMatch(new RegExp(`Berth \\(pid ${server.child.pid}\\) is serving from .*Stop it first`));

  server.child.kill('SIGTERM');
  expect((await server.exited).code).toBe(0);
  expect(fs.existsSync(path.join(dataDir, 'berth.pid'))).toBe(false);
  const restored = berth(['restore', file], env);
  expect(restored.out).toMatch(/restored .*1 student/);
  expect(restored.code).toBe(0);
  expect(fs.readdirSync(dataDir).some((f) => f.startsWith('berth.sqlite.before-restore-'))).toBe(true);

  server = await serve(env);
  expect(studentNames()).toEqual(['Before Backup']);
});

test('restore refuses what is not a Berth database this Berth can read, naming why', () => {
  const junk = path.join(backups, 'junk.sqlite');
  fs.writeFileSync(junk, 'not a database at all, just text that is long enough to have a header'.repeat(20));
  expect(berth(['restore', junk], env).out).toMatch(/not a SQLite database|cannot be opened/);

  const other = path.join(backups, 'other.sqlite');
  const db = new Database(other);
  db.exec('CREATE TABLE notes (x TEXT)');
  db.close();
  expect(berth(['restore', other], env).out).toMatch(/not a Berth database \(no settings, students, sessions, progress tables\)/);

  const future = path.join(backups, 'future.sqlite');
  fs.copyFileSync(path.join(backups, 'nightly.sqlite'), future);
  const f = new Database(future);
  f.pragma('user_version = 999');
  f.close();
  const r = berth(['restore', future], env);
  expect(r.out).toMatch(/schema version 999, newer than this Berth/);
  expect(r.code).toBe(1);
  expect(berth(['restore', path.join(backups, 'missing.sqlite')], env).out).toMatch(/does not exist/);
});
