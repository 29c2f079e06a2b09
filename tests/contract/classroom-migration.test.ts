/**
 * A database from the 0.1 release upgrades in place: its students and their
 * progress are kept, inside the built-in open-practice class.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Store } from '../../server/store/database';
import { OPEN_PRACTICE_CLASS_ID } from '../../server/classroom';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'db', 'berth-0.1.sqlite');

describe('migration 002 (classroom) on a 0.1 database', () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-migration-'));
    file = path.join(dir, 'berth.sqlite');
    fs.copyFileSync(FIXTURE, file);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps every student and their progress, in the open-practice class', () => {
    const before = new Database(file, { readonly: true });
    const students = before.prepare('SELECT id, name FROM students ORDER BY name').all() as Array<{ id: string; name: string }>;
    const progress = before.prepare('SELECT * FROM progress ORDER BY student_id, lab_id').all();
    const sessions = before.prepare('SELECT id, student_id FROM sessions').all();
    before.close();
    expect(students.map((s) => s.name)).toEqual(['Ada', 'Bob']);

    const store = new Store(file);
    try {
      expect(store.db.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(2);
      for (const s of students) {
        expect(store.getStudent(s.id)).toEqual({ id: s.id, name: s.name, classId: OPEN_PRACTICE_CLASS_ID, admitted: true });
      }
      expect(store.db.prepare('SELECT * FROM progress ORDER BY student_id, lab_id').all()).toEqual(progress);
      expect(store.db.prepare('SELECT id, student_id FROM sessions').all()).toEqual(sessions);
      const ada = students.find((s) => s.name === 'Ada')!;
      const adaProgress = store.getProgress(ada.id, 'first-container');
      expect(adaProgress.completed).toHaveLength(3);

      const open = store.classroom.classRow(OPEN_PRACTICE_CLASS_ID)!;
      expect(open).toMatchObject({ name: 'Open practice', openPractice: true, archived: false, joinCode: null });
      expect(store.classroom.studentsOf(OPEN_PRACTICE_CLASS_ID).map((s) => s.name).sort()).toEqual(['Ada', 'Bob']);
      expect(store.classroom.countInstructors()).toBe(0);
    } finally {
      store.close();
    }
  });

  it('is applied once: opening the upgraded database again changes nothing', () => {
    new Store(file).close();
    const store = new Store(file);
    try {
      expect((store.db.prepare('SELECT COUNT(*) AS n FROM classes').get() as { n: number }).n).toBe(1);
      expect(store.classroom.studentsOf(OPEN_PRACTICE_CLASS_ID)).toHaveLength(2);
    } finally {
      store.close();
    }
  });

  it('keeps names unique inside a real class but not in open practice (0.1 allowed repeats)', () => {
    const store = new Store(file);
    try {
      store.addStudent('dup-ada-1', 'Ada');
      store.classroom.addClass({
        id: 'c1', name: 'C1', labs: [], seats: 5, startsAt: null, endsAt: null, maxRunning: null, sessionMinutes: null, idleMinutes: null,
        allowRejoinByName: false, archived: false, openPractice: false, joinCode: 'ABCDEF', codeEnabled: true, codeExpiresAt: null, createdAt: 1, createdBy: null,
      });
      store.classroom.addStudent('c1-ada', 'Ada', 'c1', 1);
      expect(() => store.classroom.addStudent('c1-ada-2', 'ada', 'c1', 2)).toThrow(/UNIQUE/);
    } finally {
      store.close();
    }
  });
});
