/**
 * Adding a check kind is one file plus its docs entry: a kind put into
 * CHECK_KINDS is picked by `check kind=NAME`, validated by itself, run by the
 * check runner and listed in docs/lab-format.md's generated tables, with no
 * other file changed. A stand-in kind is registered for the length of a test.
 */
import path from 'node:path';
import { FakeBackend } from '../../../server/backend/fake-backend';
import { CheckRunner } from '../../../server/checks/check-runner';
import { CHECK_KINDS, type CheckKind } from '../../../server/checks/kinds';
import { directiveDocs } from '../../../server/labs/directives/docs-table';
import { parseLab } from '../../../server/labs/parse';

function parse(fence: string, body = 'echo ok') {
  const md = `---\nid: kinds\ntitle: Kinds\nsummary: Check kinds.\n---\n\n## One\n\nDo it.\n\n\`\`\`${fence}\n${body}\n\`\`\`\n`;
  return parseLab(md, path.join('/tmp', 'kinds', 'lab.md'));
}

const registry = CHECK_KINDS as Record<string, CheckKind>;

const always: CheckKind = {
  name: 'always',
  summary: 'passes whenever the block says `yes`.',
  validate: ({ text }) => (text.trim() === 'yes' || text.trim() === 'no' ? [] : [{ message: 'say yes or no', field: 'kind' }]),
  run: async (_ctx, check) => (check.script.trim() === 'yes' ? { passed: true } : { passed: false, feedback: 'it said no' }),
};

afterEach(() => {
  delete registry.always;
});

test('a check without kind= is a script check, and kind=script says so explicitly', () => {
  expect(parse('check').lab?.steps[0].checks.map((c) => c.kind)).toEqual(['script']);
  expect(parse('check kind=script').lab?.steps[0].checks.map((c) => c.kind)).toEqual(['script']);
});

test('an unknown kind is an error naming the kinds there are, with a guess for a typo', () => {
  const typo = parse('check kind=scrpt');
  expect(typo.lab).toBeNull();
  expect(typo.issues).toContainEqual(
    expect.objectContaining({ severity: 'error', line: 11, message: 'unknown check kind "scrpt"', field: 'kind', hint: 'did you mean kind=script? the check kinds are: script' }),
  );
  expect(parse('check kind=http').issues).toContainEqual(expect.objectContaining({ message: 'unknown check kind "http"', hint: 'the check kinds are: script' }));
});

test('a kind added to CHECK_KINDS is chosen by kind=, validates its blocks, runs, and appears in the generated docs', async () => {
  registry.always = always;

  expect(parse('check kind=always', 'maybe').issues).toContainEqual(expect.objectContaining({ severity: 'error', message: 'say yes or no' }));
  const yes = parse('check kind=always', 'yes').lab!.steps[0].checks;
  const no = parse('check kind=always', 'no').lab!.steps[0].checks;
  expect(yes.map((c) => c.kind)).toEqual(['always']);

  const runner = new CheckRunner(new FakeBackend(), 1, 1024);
  const state = { backend: 'fake', v: 1, sessionId: 'none', machines: [] };
  await expect(runner.run(state, yes)).resolves.toMatchObject({ passed: true });
  await expect(runner.run(state, no)).resolves.toMatchObject({ passed: false, feedback: 'it said no' });

  const docs = directiveDocs();
  expect(docs).toContain('| `always` | passes whenever the block says `yes`. |');
  expect(docs).toContain('by check kind (table above): `script`, `always`. Default: `script`.');
});

test('the generated docs list every registered kind, the default marked', () => {
  const lines = directiveDocs().split('\n');
  const start = lines.indexOf('Check kinds (`kind=` on a `check`):') + 4;
  const rows = lines.slice(start, lines.indexOf('', start));
  expect(rows.map((r) => /^\| `([a-z-]+)`/.exec(r)?.[1])).toEqual(Object.keys(CHECK_KINDS));
  expect(rows[0]).toMatch(/^\| `script` \(default\) \| a bash script/);
});
