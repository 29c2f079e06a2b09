/**
 * `berth lab test` and `berth down` build their backend through the factory,
 * so BERTH_BACKEND decides what they drive. Run on the fake with DOCKER_HOST
 * pointing at nothing: any road to Docker left in them fails these tests.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { registerLabCommands } from '../../../server/cli/lab-commands';
import { loadConfig } from '../../../server/config';
import { takeDown } from '../../../server/ops/down';
import { Store } from '../../../server/store/database';
import { started, student, world } from '../sessions/fake-world';

const saved = { ...process.env };
let tmp: string;

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-cli-backend-'));
  Object.assign(process.env, { BERTH_BACKEND: 'fake', NODE_ENV: 'test', DOCKER_HOST: 'tcp://127.0.0.1:1', BERTH_ISOLATION: 'auto', BERTH_DATA_DIR: tmp });
});

afterEach(() => {
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
  fs.rmSync(tmp, { recursive: true, force: true });
});

function writeLab(check: string): string {
  const labs = path.join(tmp, 'labs');
  fs.mkdirSync(path.join(labs, 'flag'), { recursive: true });
  fs.writeFileSync(
    path.join(labs, 'flag', 'lab.md'),
    `---\nid: flag\ntitle: Flag\nsummary: A flag file.\nmachines:\n  - name: box\n    image: shell\n---\n\n## One\n\nMake the flag.\n\n\`\`\`check\n${check}\n\`\`\`\n\n\`\`\`solve\ntouch /root/flag\n\`\`\`\n`,
  );
  return labs;
}

async function labTest(labs: string): Promise<{ out: string[]; err: string[]; code: number }> {
  const out: string[] = [];
  const err: string[] = [];
  const program = new Command().exitOverride();
  registerLabCommands(program, { labsDir: labs, out: (l) => out.push(l), err: (l) => err.push(l) });
  process.exitCode = 0;
  try {
    await program.parseAsync(['node', 'berth', 'lab', 'test', 'flag']);
    return { out, err, code: Number(process.exitCode ?? 0) };
  } finally {
    process.exitCode = 0;
  }
}

test('berth lab test runs on the backend BERTH_BACKEND names', async () => {
  const { out, err, code } = await labTest(writeLab('test -f /root/flag'));
  expect(err).toEqual([]);
  expect(out).toContain('1/1 lab(s) passed');
  expect(code).toBe(0);
});

test('berth lab test gives a check without timeout= BERTH_CHECK_TIMEOUT, as the classroom does', async () => {
  // The fake's sleep takes no time but counts against the timeout: 25 s outlasts the directive's 20 s default.
  process.env.BERTH_CHECK_TIMEOUT = '30';
  const { out, code } = await labTest(writeLab('sleep 25\ntest -f /root/flag'));
  expect(out).toContain('1/1 lab(s) passed');
  expect(code).toBe(0);
});

test('berth down ends every open session on the configured backend and deletes their step-setup records', async () => {
  const store = new Store(path.join(tmp, 'berth.sqlite'));
  const w = world({ store });
  const id = await started(w, student(w), 'step-setup');
  expect(w.stepSetup.enteredSteps(id)).toEqual([0]);
  await w.close();
  store.close();

  const lines: string[] = [];
  const result = await takeDown(loadConfig(), (line) => lines.push(line));

  expect(result.ended).toBe(1);
  expect(lines[0]).toBe('1 session(s) ended');
  const after = new Store(path.join(tmp, 'berth.sqlite'));
  try {
    expect(after.getSession(id)?.state).toBe('ended');
    expect(after.db.prepare('SELECT COUNT(*) AS n FROM step_setup').get()).toEqual({ n: 0 });
  } finally {
    after.close();
  }
});
