import type Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations';

/**
 * One step of the schema. `version` is SQLite's `user_version` after it runs;
 * steps run in order, each in its own transaction, and are never edited once
 * released: a change to the schema is a new step.
 */
export interface Migration {
  version: number;
  name: string;
  up(db: Database.Database): void;
}

export class MigrationError extends Error {}

/** Brings the database up to the newest version, refusing one newer than this Berth. */
export function migrate(db: Database.Database, migrations: Migration[] = MIGRATIONS): { from: number; to: number } {
  const ordered = [...migrations].sort((a, b) => a.version - b.version);
  ordered.forEach((m, i) => {
    if (m.version !== i + 1) throw new MigrationError(`migration "${m.name}" has version ${m.version}, expected ${i + 1}: versions must run 1, 2, 3… without gaps`);
  });
  const from = db.pragma('user_version', { simple: true }) as number;
  const newest = ordered.length;
  if (from > newest) {
    throw new MigrationError(`the database is at schema version ${from}, newer than this Berth knows (${newest}); upgrade Berth or restore an older backup`);
  }
  for (const m of ordered.slice(from)) {
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return { from, to: newest };
}
