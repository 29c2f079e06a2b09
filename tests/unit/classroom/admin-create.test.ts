import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { registerAdminCommands } from '../../../server/cli/admin-commands';
import { createClassroom } from '../../../server/classroom/services';
import { loadConfig } from '../../../server/config';
import { EventBus } from '../../../server/events';
import { LabCatalog } from '../../../server/labs/catalog';
import { Store } from '../../../server/store/database';

/** `berth admin create` on an empty Berth does what the setup link does: an owner, and the link is spent. */
describe('berth admin create', () => {
  let dataDir: string;
  const saved = { ...process.env };
  const lines: string[] = [];
  const errors: string[] = [];

  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-admin-create-'));
    process.env.BERTH_DATA_DIR = dataDir;
    process.exitCode = undefined;
    lines.length = 0;
    errors.length = 0;
  });

  afterEach(() => {
    process.env = { ...saved };
    process.exitCode = undefined;
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const cli = async (...args: string[]) => {
    const program = new Command().exitOverride();
    registerAdminCommands(program, { out: (l) => lines.push(l), err: (l) => errors.push(l), readPassword: async () => 'a long enough password' });
    await program.parseAsync(['node', 'berth', 'admin', ...args]);
  };

  /** The running server's view of the same database. */
  const server = () => {
    const config = loadConfig();
    const store = new Store(path.join(dataDir, 'berth.sqlite'));
    return { store, classroom: createClassroom(config, store, new LabCatalog(dataDir), new EventBus()) };
  };

  test('the first account is an owner and the setup link no longer works; the next one is an instructor', async () => {
    const before = server();
    const token = before.classroom.instructors.setupToken()!;
    expect(token).toBeTruthy();
    before.store.close();

    await cli('create', '--login', 'ana', '--name', 'Ana');
    expect([lines.pop(), errors]).toEqual(['created owner "ana" (Ana)', []]);

    const after = server();
    expect(after.store.getSetting('setup-token')).toBeFalsy();
    await expect(after.classroom.instructors.setup({ token, name: 'Late', login: 'late', password: 'a long enough password' }, { address: '127.0.0.1', userAgent: 'jest' })).rejects.toMatchObject({
      code: 'forbidden',
    });
    after.store.close();
    await cli('setup-link');
    expect(errors.pop()).toMatch(/an instructor exists already/);

    await cli('create', '--login', 'ben', '--name', 'Ben');
    expect(lines.pop()).toBe('created instructor "ben" (Ben)');
  });

  test('asking for an instructor as the very first account is refused, and nothing is made', async () => {
    await cli('create', '--login', 'ana', '--name', 'Ana', '--role', 'instructor');
    expect(errors.pop()).toMatch(/the first instructor must be an owner/);
    expect(process.exitCode).toBe(1);
    const s = server();
    expect(s.store.classroom.countInstructors()).toBe(0);
    s.store.close();
  });
});
