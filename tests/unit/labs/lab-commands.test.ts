import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { registerLabCommands } from '../../../server/cli/lab-commands';
import { validateLabs } from '../../../server/labs/validate';

const fixtures = path.join(__dirname, '../../fixtures');

async function run(args: string[]): Promise<{ out: string[]; err: string[]; code: number }> {
  const out: string[] = [];
  const err: string[] = [];
  const program = new Command().exitOverride();
  registerLabCommands(program, { labsDir: path.join(fixtures, 'labs-valid'), out: (l) => out.push(l), err: (l) => err.push(l) });
  process.exitCode = 0;
  await program.parseAsync(['node', 'berth', ...args]);
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { out, err, code };
}

test('lab validate prints issues as file:line and exits 1 on errors', async () => {
  const { err, out, code } = await run(['lab', 'validate', path.join(fixtures, 'labs-broken/unknown-machine')]);
  expect(code).toBe(1);
  expect(err).toEqual([
    `${path.relative(process.cwd(), path.join(fixtures, 'labs-broken/unknown-machine/lab.md'))}:15: error: unknown machine "web" in a check block (machine) — the lab's machines are: docker (add it under machines: in the front matter)`,
  ]);
  expect(out).toEqual(['1 lab(s) checked, 0 valid: 1 error(s), 0 warning(s)']);
});

test('lab validate defaults to the labs folder and exits 0 when clean', async () => {
  const { out, code } = await run(['lab', 'validate']);
  expect(code).toBe(0);
  expect(out).toEqual(['1 lab(s) checked, 1 valid: 0 error(s), 0 warning(s)']);
});

test('lab import killercoda writes the lab and lists what it could not map', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-cli-'));
  try {
    const target = path.join(tmp, 'volumes');
    const { out, code } = await run(['lab', 'import', 'killercoda', path.join(fixtures, 'killercoda/docker-volumes'), '--out', target]);
    expect(code).toBe(0);
    expect(fs.readFileSync(path.join(target, 'lab.md'), 'utf8')).toMatch(/^---\nid: volumes\n/);
    expect(out[0]).toMatch(/^wrote .*volumes\/lab\.md \(lab id volumes\)$/);
    expect(out).toContain('  warning: step3/verify.sh: the script finds files through $0 or BASH_SOURCE; Berth runs scripts inline from /root, so refer to assets at their target paths instead');
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('lab new writes a lab that validates cleanly, and refuses bad ids and existing labs', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-new-'));
  try {
    const program = new Command().exitOverride();
    const out: string[] = [];
    const err: string[] = [];
    registerLabCommands(program, { labsDir: tmp, out: (l) => out.push(l), err: (l) => err.push(l) });
    process.exitCode = 0;
    await program.parseAsync(['node', 'berth', 'lab', 'new', 'my-lab', '--title', 'My lab']);
    expect(process.exitCode).toBe(0);
    const result = await validateLabs([tmp]);
    expect(result.issues).toEqual([]);
    expect(result.labs.map((l) => [l.id, l.title, l.steps.length])).toEqual([['my-lab', 'My lab', 2]]);

    await program.parseAsync(['node', 'berth', 'lab', 'new', 'my-lab']);
    expect(process.exitCode).toBe(1);
    await program.parseAsync(['node', 'berth', 'lab', 'new', 'My Lab']);
    expect(err).toEqual([expect.stringContaining('already exists'), expect.stringContaining('"My Lab" is not a lab id')]);
  } finally {
    process.exitCode = 0;
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
