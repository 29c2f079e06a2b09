import fs from 'node:fs';
import path from 'node:path';
import { parseLab } from '../../../server/labs/parse';

/**
 * The compose lab has its students write compose.yaml in the browser editor,
 * and its Run buttons fade: after the first steps, a step states its goal and
 * leaves the commands to hints and a solution.
 */
const dir = path.join(__dirname, '../../../labs/compose');
const lab = parseLab(fs.readFileSync(path.join(dir, 'lab.md'), 'utf8'), path.join(dir, 'lab.md')).lab!;
const seed = fs.readFileSync(path.join(dir, 'files/shop/compose.yaml'), 'utf8');
const step = (title: string) => lab.steps.find((s) => s.title.startsWith(title))!;
const edits = (title: string) => step(title).blocks.filter((b) => b.kind === 'edit');
const visible = (s: (typeof lab.steps)[number]) => [s.html, ...s.hintsHtml, s.solutionHtml ?? ''].join('\n');

test('the repair opens compose.yaml as the setup left it: Open in editor on a missing file rebuilds the broken file', () => {
  const [edit] = edits('Fix it');
  expect(edit).toMatchObject({ machine: 'docker', path: '/root/shop/compose.yaml' });
  const setup = step('Fix it').setup.map((b) => b.script).join('\n');
  expect(setup).toContain("s/^      CACHE_HOST: cache$/      CACHE_HOST: redis/");
  expect(edit!.kind === 'edit' && edit.text).toBe(seed.replace(/^ {6}CACHE_HOST: cache$/m, '      CACHE_HOST: redis'));
});

test("the database step opens compose.yaml at the app service, with the file's own text", () => {
  const [edit] = edits('Add a database');
  if (edit?.kind !== 'edit') throw new Error('no edit block in the database step');
  expect(edit.path).toBe('/root/shop/compose.yaml');
  expect(edit.text).toBe(seed);
  const lines = seed.split('\n').slice(edit.lines![0] - 1, edit.lines![1]);
  expect([lines[0], lines[lines.length - 1]]).toEqual(['  app:', '      - cache']);
});

test('no step tells the student to edit with nano or sed', () => {
  for (const s of lab.steps) expect([s.title, visible(s)]).not.toEqual([s.title, expect.stringMatching(/\bnano\b|sed -i/)]);
});

test('the scaffolding fades: every checked step has a hint and a solution, and later ones no Run button with the answer', () => {
  const checked = lab.steps.filter((s) => s.checks.length);
  expect(checked.length).toBeGreaterThanOrEqual(5);
  for (const s of checked) expect([s.title, s.hintsHtml.length > 0, s.solutionHtml !== null]).toEqual([s.title, true, true]);
  for (const title of ['Add a database', 'Scale the app tier', 'Tear it down']) {
    const runs = step(title).blocks.flatMap((b) => (b.kind === 'run' ? [b.command] : []));
    expect([title, runs.filter((c) => /docker compose (up|down)/.test(c))]).toEqual([title, []]);
  }
});
