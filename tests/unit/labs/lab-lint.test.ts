import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { validateLabs } from '../../../server/labs/validate';

/** Lint that keeps faded scaffolding fair: a step with no command to press needs hints and a solution. */
const fixture = path.join(__dirname, '../../fixtures/labs-lint/faded-step');

test('a checked step without run or copy blocks needs two hints and a solution', async () => {
  const { issues } = await validateLabs([fixture]);
  expect(issues).toEqual([
    expect.objectContaining({
      severity: 'warning',
      line: 8,
      message: 'step "Run it yourself" has no run or copy block, so it needs at least two hints and a solution (it has 1 hint(s) and no solution)',
    }),
  ]);
});

test('the warning goes once the second hint and the solution are there', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-lint-'));
  const lab = path.join(dir, 'faded-step');
  fs.mkdirSync(lab);
  const source = fs.readFileSync(path.join(fixture, 'lab.md'), 'utf8');
  const fixed = source.replace('```check\ndocker inspect web >/dev/null 2>&1 || { echo', '```hint\nThe name goes after `--name`.\n```\n\n````solution\n```bash\ndocker run -d --name web nginx\n```\n````\n\n```check\ndocker inspect web >/dev/null 2>&1 || { echo');
  expect(fixed).not.toBe(source);
  fs.writeFileSync(path.join(lab, 'lab.md'), fixed);
  try {
    const { issues } = await validateLabs([lab]);
    expect(issues).toEqual([]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
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
