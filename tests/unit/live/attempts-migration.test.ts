/**
 * Migration 005 on a database from before it: the student's own failed check
 * runs become attempts (background and lab-test runs do not), and every step
 * reached so far counts as reached in the current run.
 */
import Database from 'better-sqlite3';
import { migrate } from '../../../server/store/migrate';
import { MIGRATIONS } from '../../../server/store/migrations';

test('stored check runs the student set off become attempts; step history keeps its reached time for the current run', () => {
  const db = new Database(':memory:');
  migrate(db, MIGRATIONS.slice(0, 4));
  // Only what the query joins matters here; the student row the sessions table refers to is not it.
  db.pragma('foreign_keys = OFF');
  db.prepare(
    `INSERT INTO sessions (id, student_id, lab_id, state, backend_state, created_at, expires_at, last_activity_at, extensions, error, ended_at)
     VALUES ('s1', 'ada', 'lab-a', 'running', NULL, 0, 1e12, 0, 0, NULL, NULL)`,
  ).run();
  const run = db.prepare('INSERT INTO check_runs (session_id, step, status, feedback, duration_ms, trigger, at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  run.run('s1', 0, 'failed', 'FAIL: by button', 5, 'button', 10);
  run.run('s1', 0, 'failed', 'FAIL: by timer', 5, 'timer', 20);
  run.run('s1', 0, 'failed', 'FAIL: after Enter', 5, 'prompt', 30);
  run.run('s1', 0, 'passed', null, 5, 'button', 40);
  run.run('s1', 1, 'failed', 'FAIL: lab test', 5, 'test', 50);
  db.prepare(`INSERT INTO step_events (student_id, lab_id, step, reached_at) VALUES ('ada', 'lab-a', 0, 7)`).run();

  migrate(db);
  expect(db.prepare('SELECT student_id, lab_id, step, kind, feedback, at FROM step_attempts ORDER BY at').all()).toEqual([
    { student_id: 'ada', lab_id: 'lab-a', step: 0, kind: 'check', feedback: 'FAIL: by button', at: 10 },
    { student_id: 'ada', lab_id: 'lab-a', step: 0, kind: 'check', feedback: 'FAIL: after Enter', at: 30 },
  ]);
  expect(db.prepare('SELECT reached_at, run_reached_at, active_ms, hints_seen, quiz_answers FROM step_events').get()).toEqual({
    reached_at: 7,
    run_reached_at: 7,
    active_ms: 0,
    hints_seen: 0,
    quiz_answers: null,
  });
  db.close();
});
