import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { validateLabs } from '../../../server/labs/validate';

/**
 * Lint that keeps faded scaffolding fair: a checked step whose Run buttons are
 * not the whole answer needs a hint and a solution, and two hints when it has
 * no block to press at all.
 */
const fixture = path.join(__dirname, '../../fixtures/labs-lint/faded-step');

function withLab(edit: (source: string) => string): { dir: string; lab: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-lint-'));
  const lab = path.join(dir, 'faded-step');
  fs.mkdirSync(lab);
  const source = fs.readFileSync(path.join(fixture, 'lab.md'), 'utf8');
  const edited = edit(source);
  expect(edited).not.toBe(source);
  fs.writeFileSync(path.join(lab, 'lab.md'), edited);
  return { dir, lab };
}

test('a checked step without a block to press needs two hints and a solution; one whose solve does more than its Run buttons needs one hint and a solution', async () => {
  const { issues } = await validateLabs([fixture]);
  expect(issues).toEqual([
    expect.objectContaining({
      severity: 'warning',
      line: 8,
      message: 'step "Run it yourself" has no run, copy or edit block, so hints are the student\'s only way forward: it has 1 hint(s) and no solution; it needs 2 and a solution',
    }),
    // "With a button" is spared: its solve is its Run button plus a clean-up and a wait.
    expect.objectContaining({
      severity: 'warning',
      line: 52,
      message: 'step "Write it down" asks for more than pressing its Run buttons (its solve runs `docker ps > /root/ps.txt`, which no Run button does): it has 0 hint(s) and no solution; it needs 1 and a solution',
    }),
  ]);
});

test('the warnings go once the hints and the solutions are there', async () => {
  const { dir, lab } = withLab((source) =>
    source
      .replace('```check\ndocker inspect web >/dev/null 2>&1 || { echo', '```hint\nThe name goes after `--name`.\n```\n\n````solution\n```bash\ndocker run -d --name web nginx\n```\n````\n\n```check\ndocker inspect web >/dev/null 2>&1 || { echo')
      .replace('```check\ntest -s /root/ps.txt', '```hint\nA `>` sends the output to a file.\n```\n\n````solution\n```bash\ndocker ps > /root/ps.txt\n```\n````\n\n```check\ntest -s /root/ps.txt'),
  );
  try {
    const { issues } = await validateLabs([lab]);
    expect(issues).toEqual([]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a solve command that is also a Run button, or an edit block to write, is judged as such', async () => {
  // Pressing the button is the whole task once the button holds the command.
  const pressed = withLab((source) => source.replace('```run\ndocker ps\n```\n\n```check\ntest -s', '```run\ndocker ps > /root/ps.txt\n```\n\n```check\ntest -s'));
  // A file to write asks for work even when the solve has nothing else.
  const edited = withLab((source) =>
    source.replace('```run\ndocker ps\n```\n\n```check\ntest -s', '```edit path=/root/ps.txt\nweb\n```\n\n```check\ntest -s').replace('```solve\ndocker ps > /root/ps.txt\n```', '```solve\ntrue\n```'),
  );
  try {
    const lines = async (lab: string) => (await validateLabs([lab])).issues.map((i) => i.line);
    expect(await lines(pressed.lab)).toEqual([8]);
    expect(await lines(edited.lab)).toEqual([8, 52]);
    expect((await validateLabs([edited.lab])).issues[1].message).toMatch(/asks for more than pressing its Run buttons \(it asks the student to write a file\)/);
  } finally {
    for (const d of [pressed.dir, edited.dir]) fs.rmSync(d, { recursive: true, force: true });
  }
});

test('forge and undo scripts are syntax-checked with bash -n', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-lint-'));
  const lab = path.join(dir, 'faded-step');
  fs.mkdirSync(lab);
  const source = fs.readFileSync(path.join(fixture, 'lab.md'), 'utf8');
  fs.writeFileSync(path.join(lab, 'lab.md'), source.replace('docker rm -f webb >/dev/null', 'if true; then docker rm -f webb'));
  try {
    const { issues } = await validateLabs([lab]);
    expect(issues.filter((i) => i.severity === 'error')).toEqual([
      // "unexpected end of file" points at the closing fence.
      expect.objectContaining({ line: 27, message: expect.stringMatching(/^bash syntax error in undo script: .*unexpected end of file/) }),
    ]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
