import Database from 'better-sqlite3';
import { Store } from '../../../server/store/database';
import { cacheStatements } from '../../../server/store/statement-cache';

test('the same SQL gets the statement compiled the first time, and it still answers with the data of now', () => {
  const db = new Database(':memory:');
  cacheStatements(db);
  db.prepare('CREATE TABLE t (n INTEGER)').run();
  const count = 'SELECT count(*) AS n FROM t';
  const first = db.prepare(count);
  expect(db.prepare(count)).toBe(first);
  expect(db.prepare(count).get()).toEqual({ n: 0 });
  db.prepare('INSERT INTO t (n) VALUES (?)').run(1);
  db.prepare('INSERT INTO t (n) VALUES (?)').run(2);
  expect(db.prepare(count).get()).toEqual({ n: 2 });
  db.close();
});

test('a statement compiled before the schema changed still runs after it', () => {
  const db = new Database(':memory:');
  cacheStatements(db);
  db.prepare('CREATE TABLE t (n INTEGER)').run();
  expect(db.prepare('SELECT * FROM t').all()).toEqual([]);
  db.prepare('ALTER TABLE t ADD COLUMN m TEXT').run();
  db.prepare("INSERT INTO t (n, m) VALUES (1, 'x')").run();
  expect(db.prepare('SELECT * FROM t').all()).toEqual([{ n: 1, m: 'x' }]);
  db.close();
});

test("the store's database caches its statements", () => {
  const store = new Store(':memory:');
  const sql = 'SELECT value FROM settings WHERE key = ?';
  expect(store.db.prepare(sql)).toBe(store.db.prepare(sql));
  store.setSetting('a', '1');
  expect(store.getSetting('a')).toBe('1');
  store.close();
});
