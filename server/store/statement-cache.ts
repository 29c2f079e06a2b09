import type Database from 'better-sqlite3';

/** More distinct statements than Berth's code writes; only a bug could make more, and then the oldest go. */
const MAX_STATEMENTS = 500;

/**
 * Makes `db.prepare` hand back the statement it compiled before for the same
 * SQL. better-sqlite3 compiles on every `prepare`, and the store prepares at
 * each call: a class of thirty pressing Start spent a sixth of Berth's CPU
 * compiling the same few statements again (bench/classroom.ts, profiled).
 * Safe because no caller changes a statement's mode (`pluck`, `raw`,
 * `expand`) or iterates one while running it again.
 */
export function cacheStatements(db: Database.Database): void {
  const compile = db.prepare.bind(db);
  const cache = new Map<string, Database.Statement>();
  db.prepare = ((sql: string) => {
    let statement = cache.get(sql);
    if (!statement) {
      statement = compile(sql);
      if (cache.size >= MAX_STATEMENTS) cache.delete(cache.keys().next().value!);
      cache.set(sql, statement);
    }
    return statement;
  }) as Database.Database['prepare'];
}
