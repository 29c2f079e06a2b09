import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readState } from '../../../server/backend/lab-backend';
import { stateOf } from '../../../server/sessions/session-manager';
import { Store } from '../../../server/store/database';

const FIXTURE = path.join(__dirname, '..', '..', 'fixtures', 'db', 'berth-0.1.sqlite');

/** What a database from an earlier release holds must still be read by this one. */
describe('stored state across releases', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-stored-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('a 0.1 database upgrades in place and gains the step_setup table, empty', () => {
    const file = path.join(dir, 'berth.sqlite');
    fs.copyFileSync(FIXTURE, file);
    const store = new Store(file);
    try {
      expect(store.db.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(4);
      expect(store.db.prepare('SELECT COUNT(*) AS n FROM step_setup').get()).toEqual({ n: 0 });
      expect(store.getSession('aaaaaaaaaaaa')?.state).toBe('ended');
    } finally {
      store.close();
    }
  });

  test('a Docker state as the current release stores it (no version) is read back as version 1', () => {
    const store = new Store(':memory:');
    try {
      store.addStudent('ada', 'Ada');
      const written = {
        backend: 'docker',
        sessionId: 'bbbbbbbbbbbb',
        network: 'berth-berth-bbbbbbbbbbbb',
        machines: [{ name: 'docker', containerId: 'c0ffee', containerName: 'berth-berth-bbbbbbbbbbbb-docker', volume: 'v', docker: true }],
      };
      const now = Date.now();
      store.insertSession({ id: 'bbbbbbbbbbbb', studentId: 'ada', labId: 'hello', state: 'running', backendState: written, createdAt: now, expiresAt: now + 1, lastActivityAt: now, extensions: 0, error: null, endedAt: null });
      const state = stateOf(store.getSession('bbbbbbbbbbbb')!);
      expect(readState(state, 'docker', 1)).toEqual(written);
    } finally {
      store.close();
    }
  });
});
