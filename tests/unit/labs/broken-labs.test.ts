import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadLabs, watchLabs } from '../../../server/labs/loader';
import { formatIssue, validateLabs } from '../../../server/labs/validate';
import type { LabIssue } from '../../../server/labs/types';

const broken = path.join(__dirname, '../../fixtures/labs-broken');
const valid = path.join(__dirname, '../../fixtures/labs-valid');

async function errorsOf(name: string): Promise<LabIssue[]> {
  const { issues } = await validateLabs([path.join(broken, name)]);
  return issues.filter((i) => i.severity === 'error');
}

function only(issues: LabIssue[]): LabIssue {
  expect(issues).toHaveLength(1);
  return issues[0];
}

describe('deliberately broken labs', () => {
  test('bad YAML names the line and suggests quoting', async () => {
    const issue = only(await errorsOf('bad-yaml'));
    expect(issue.line).toBe(3);
    expect(issue.message).toBe('invalid YAML in front matter: Nested mappings are not allowed in compact mappings');
    expect(issue.hint).toBe('a value containing ": " or "#" needs quotes');
  });

  test('a check on a machine the lab does not have', async () => {
    const issue = only(await errorsOf('unknown-machine'));
    expect(issue.line).toBe(15);
    expect(issue.message).toBe('unknown machine "web" in a check block');
    expect(issue.hint).toBe("the lab's machines are: docker (add it under machines: in the front matter)");
  });

  test('files.from that does not exist', async () => {
    const issue = only(await errorsOf('missing-files'));
    expect(issue.line).toBe(8);
    expect(issue.field).toBe('machines[0].files[0].from');
    expect(issue.message).toBe('files.from "files/app" does not exist');
  });

  test('two steps with the same heading', async () => {
    const issue = only(await errorsOf('duplicate-step'));
    expect(issue.line).toBe(17);
    expect(issue.message).toBe('duplicate step heading "Run a container" (first used at line 7)');
  });

  test('a quiz without a correct choice', async () => {
    const issue = only(await errorsOf('quiz-no-correct'));
    expect(issue.line).toBe(12);
    expect(issue.message).toBe('the quiz has no correct choice');
    expect(issue.hint).toBe('mark the right answer with correct: true');
  });

  test('an id that is not a slug suggests one', async () => {
    const issue = only(await errorsOf('bad-id'));
    expect(issue.line).toBe(2);
    expect(issue.field).toBe('id');
    expect(issue.message).toBe('expected an id of lowercase letters, digits and single dashes, e.g. first-container, got "Bad_ID"');
    expect(issue.hint).toBe('try id: bad-id');
  });

  test('a prerequisite that is no lab', async () => {
    const issue = only(await errorsOf('unknown-prerequisite'));
    expect(issue.line).toBe(5);
    expect(issue.field).toBe('prerequisites[1]');
    expect(issue.message).toBe('unknown prerequisite "no-such-lab"');
  });

  test('bash syntax errors point at the lab.md line of the script line', async () => {
    const issue = only(await errorsOf('bash-syntax'));
    expect(issue.line).toBe(12);
    expect(issue.message).toBe("bash syntax error in check script: syntax error near unexpected token `fi'");
  });

  test('a misspelt field suggests the right one', async () => {
    const issues = await errorsOf('unknown-field');
    const typo = issues.find((i) => i.message === 'unknown field "sumary"');
    expect(typo).toMatchObject({ line: 4, hint: 'did you mean "summary"?' });
    expect(issues.find((i) => i.field === 'summary')?.message).toBe('missing required field "summary": expected a one-sentence summary (text)');
  });

  test('issues print as file:line: severity: message (field) — hint', async () => {
    const issue = only(await errorsOf('bad-id'));
    expect(formatIssue(issue, path.join(__dirname, '../../..'))).toBe(
      'tests/fixtures/labs-broken/bad-id/lab.md:2: error: expected an id of lowercase letters, digits and single dashes, e.g. first-container, got "Bad_ID" (id) — try id: bad-id',
    );
  });
});

describe('loader', () => {
  test('broken labs are reported and skipped; the others load', () => {
    const result = loadLabs(broken);
    expect(result.labs.map((l) => l.id).sort()).toEqual(['bash-syntax', 'first-container', 'unknown-prerequisite']);
    const files = new Set(result.issues.filter((i) => i.severity === 'error').map((i) => path.basename(path.dirname(i.file))));
    expect([...files].sort()).toEqual(['bad-id', 'bad-yaml', 'duplicate-step', 'missing-files', 'quiz-no-correct', 'unknown-field', 'unknown-machine']);
  });

  test('course.yaml orders labs and reports unknown ids', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-labs-'));
    try {
      fs.cpSync(path.join(valid, 'hello-nginx'), path.join(dir, 'hello-nginx'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'course.yaml'), 'title: Docker\nsections:\n  - title: Basics\n    labs: [hello-nginx, no-such-lab]\n');
      const result = loadLabs(dir);
      expect(result.course).toEqual({ title: 'Docker', sections: [{ title: 'Basics', labs: ['hello-nginx'] }] });
      expect(result.issues).toEqual([
        expect.objectContaining({ severity: 'error', line: 4, message: 'unknown lab id "no-such-lab"' }),
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('without course.yaml every lab is offered', () => {
    expect(loadLabs(valid).course).toEqual({ title: 'Labs', sections: [{ title: 'Labs', labs: ['hello-nginx'] }] });
  });

  test('a lab whose id differs from its folder is refused', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-labs-'));
    try {
      fs.cpSync(path.join(valid, 'hello-nginx'), path.join(dir, 'renamed'), { recursive: true });
      const result = loadLabs(dir);
      expect(result.labs).toEqual([]);
      expect(result.issues[0]).toMatchObject({ line: 2, field: 'id', message: 'id "hello-nginx" does not match the folder name "renamed"' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('watchLabs reloads after a change, once per burst', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-labs-'));
    try {
      fs.cpSync(path.join(valid, 'hello-nginx'), path.join(dir, 'hello-nginx'), { recursive: true });
      const reloads: number[] = [];
      const watcher = watchLabs(dir, (r) => reloads.push(r.labs.length), 50);
      const file = path.join(dir, 'hello-nginx', 'lab.md');
      const text = fs.readFileSync(file, 'utf8');
      fs.writeFileSync(file, text.replace('Serve a page', 'Serve one page'));
      fs.writeFileSync(file, text.replace('Serve a page', 'Serve two pages'));
      await new Promise((r) => setTimeout(r, 400));
      watcher.close();
      expect(reloads).toEqual([1]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the valid lab', () => {
  test('validates with no errors and no warnings', async () => {
    const { issues, labs } = await validateLabs([valid]);
    expect(labs.map((l) => l.id)).toEqual(['hello-nginx']);
    expect(issues).toEqual([]);
  });
});
