import path from 'node:path';
import type { BackendState, ExecOutcome, LabBackend, SessionSpec } from '../../../server/backend/lab-backend';
import { forgeCoverage, formatForgeCoverage, formatLabTestResult, LabTester } from '../../../server/labs/lab-test';
import { parseLab } from '../../../server/labs/parse';
import type { LabDefinition } from '../../../server/labs/types';
import { bashSyntax } from '../../../server/labs/validate';

/**
 * Forges: wrong attempts a step's check must reject. The machine here is a set
 * of flag files (`touch`, `rm`, `test -f`), so the order lab test runs scripts
 * in can be read off the log.
 */
class FlagMachine {
  readonly name = 'flags';
  files = new Set<string>();
  log: string[] = [];
  async start(spec: SessionSpec): Promise<BackendState> {
    return { backend: 'flags', sessionId: spec.sessionId };
  }
  async stop(): Promise<void> {}
  async exec(_state: BackendState, _machine: string, script: string): Promise<ExecOutcome> {
    let exitCode = 0;
    let stdout = '';
    for (const line of script.split('\n')) {
      const [cmd, ...args] = line.trim().split(/\s+/);
      if (!cmd || cmd.startsWith('#')) continue;
      this.log.push(line.trim());
      if (cmd === 'touch') args.forEach((a) => this.files.add(a));
      else if (cmd === 'rm') args.forEach((a) => this.files.delete(a));
      else if (cmd === 'test') {
        // `test -f a` passes when a exists; `test ! -f a` when it does not.
        const negate = args[0] === '!';
        const file = args[args.length - 1];
        if (this.files.has(file) === negate) {
          exitCode = 1;
          stdout = `FAIL: ${file} ${negate ? 'is there' : 'is missing'}`;
          break;
        }
      } else if (cmd === 'false') exitCode = 1;
      else if (cmd === 'engine' && this.files.has('busy')) {
        // A busy engine: docker's own error, not the check's verdict.
        return { exitCode: 125, stdout: '', stderr: 'docker: Error response from daemon: engine busy', timedOut: false, truncated: false, durationMs: 1 };
      } else if (cmd === 'engine' && this.files.has('slow')) {
        return { exitCode: 137, stdout: '', stderr: '', timedOut: true, truncated: false, durationMs: 20_000 };
      }
    }
    return { exitCode, stdout, stderr: '', timedOut: false, truncated: false, durationMs: 1 };
  }
  async shutdown(): Promise<void> {}
}

function parse(id: string, body: string) {
  return parseLab(`---\nid: ${id}\ntitle: T\nsummary: S.\n---\n\n${body}`, path.join('/tmp', id, 'lab.md'));
}

function lab(id: string, body: string): LabDefinition {
  const { lab: parsed, issues } = parse(id, body);
  if (!parsed) throw new Error(JSON.stringify(issues));
  return parsed;
}

async function test1(l: LabDefinition) {
  const machine = new FlagMachine();
  const [result] = await new LabTester({ backend: machine as unknown as LabBackend, log: () => undefined, retryDelayMs: 1 }).run([l]);
  return { result, machine };
}

// The check wants "real" and no "fake"; the forge makes "fake" alone, then both.
const strict = `## Build it

\`\`\`check
test -f real
test ! -f fake
\`\`\`

\`\`\`forge
# a fake instead of the real thing
touch fake
\`\`\`

\`\`\`undo
rm fake
\`\`\`

\`\`\`forge
# the real thing with a fake beside it
touch real fake
\`\`\`

\`\`\`undo
rm real fake
\`\`\`

\`\`\`solve
touch real
\`\`\`
`;

describe('parsing forges', () => {
  test('forges and their undo belong to the step, labelled by their first comment', () => {
    const step = lab('strict', strict).steps[0];
    expect(step.forges.map((f) => [f.label, f.line, f.timeoutSeconds, f.undo.map((u) => u.line)])).toEqual([
      ['a fake instead of the real thing', 14, 60, [19]],
      ['the real thing with a fake beside it', 23, 60, [28]],
    ]);
    expect(step.forges[0].script).toBe('# a fake instead of the real thing\ntouch fake');
  });

  test('a forge without a comment is named by its line', () => {
    const step = lab('plain', '## A\n\n```check\ntest -f a\n```\n\n```forge timeout=5\ntouch b\n```\n\n```solve\ntouch a\n```\n').steps[0];
    expect(step.forges[0]).toMatchObject({ label: 'forge at line 13', timeoutSeconds: 5, undo: [] });
  });

  test('a forge in a step without a check is an error naming the line', () => {
    const { lab: parsed, issues } = parse('nocheck', '## A\n\nText.\n\n```forge\ntouch b\n```\n');
    expect(parsed).toBeNull();
    expect(issues).toEqual([
      expect.objectContaining({ severity: 'error', line: 11, message: 'step "A" has a forge but no check', hint: expect.stringContaining('add a ```check block') }),
    ]);
  });

  test('an undo without a forge before it is an error', () => {
    const { issues } = parse('undo', '## A\n\n```check\ntest -f a\n```\n\n```undo\nrm a\n```\n\n```solve\ntouch a\n```\n');
    expect(issues).toEqual([expect.objectContaining({ severity: 'error', line: 13, message: 'an undo block must follow a forge block' })]);
  });

  test('a forge in the introduction is an error', () => {
    const { issues } = parse('intro', '```forge\ntouch a\n```\n\n## A\n\n```check\ntest -f a\n```\n\n```solve\ntouch a\n```\n');
    expect(issues).toEqual([expect.objectContaining({ severity: 'error', line: 7, message: 'a forge block cannot be in the introduction' })]);
  });

  test('forge attributes are checked like any script block', () => {
    const { issues } = parse('attrs', '## A\n\n```check\ntest -f a\n```\n\n```forge machine=nope paste\ntouch b\n```\n\n```solve\ntouch a\n```\n');
    expect(issues.map((i) => i.message)).toEqual(['unknown attribute "paste" on a forge block', 'unknown machine "nope" in a forge block']);
  });

  test('forge scripts get bash -n like the others', async () => {
    expect(await bashSyntax('if true; then\ntouch a\n')).toEqual([expect.objectContaining({ message: expect.stringContaining('unexpected end of file') })]);
  });
});

describe('lab test runs forges', () => {
  test('setup, check, each forge then check then undo, solve, check: in that order', async () => {
    const { result, machine } = await test1(lab('strict', strict));
    expect(result.ok).toBe(true);
    expect(result.steps[0].forges).toEqual([
      { label: 'a fake instead of the real thing', line: 14, rejected: true, feedback: 'real is missing' },
      { label: 'the real thing with a fake beside it', line: 23, rejected: true, feedback: 'fake is there' },
    ]);
    expect(machine.log).toEqual([
      'test -f real', // check before
      'touch fake',
      'test -f real',
      'rm fake',
      'touch real fake',
      'test -f real',
      'test ! -f fake',
      'rm real fake',
      'touch real', // solve
      'test -f real',
      'test ! -f fake',
    ]);
    expect(formatLabTestResult(result)).toMatch(/Build it +pass +\S+ +\S+ +2\/2 \S+s/);
    // Each forge's FAIL message is kept and printed, so an author sees why it was turned away.
    expect(formatLabTestResult(result)).toContain(
      [
        '  forges of "Build it":',
        '    rejected  a fake instead of the real thing (line 14): real is missing',
        '    rejected  the real thing with a fake beside it (line 23): fake is there',
      ].join('\n'),
    );
    expect(forgeCoverage([result])).toEqual({ checkedSteps: 1, forged: 1 });
    expect(formatForgeCoverage([result])).toBe('1/1 checked step(s) reject at least one forge (a wrong attempt)');
  });

  test('a check that accepts a forge fails the step and names the forge', async () => {
    // Only checks for "real": the second forge (real plus a fake) gets through.
    const weak = strict.replace('test ! -f fake\n', '');
    const { result } = await test1(lab('weak', weak));
    expect(result.ok).toBe(false);
    expect(result.steps[0]).toMatchObject({
      status: 'fail',
      problem: 'the check accepts a wrong attempt: "the real thing with a fake beside it" (forge at lab.md line 22)',
      forges: [
        { label: 'a fake instead of the real thing', rejected: true },
        { label: 'the real thing with a fake beside it', rejected: false },
      ],
    });
    expect(result.steps[0].forges?.[1].feedback).toBeUndefined();
    expect(formatLabTestResult(result)).toContain('    ACCEPTED  the real thing with a fake beside it (line 22)');
    expect(forgeCoverage([result])).toEqual({ checkedSteps: 1, forged: 1 });
  });

  test.each([
    ['an engine error', 'busy', 'docker: Error response from daemon: engine busy'],
    ['a timeout', 'slow', 'The check took longer than 20 s and was stopped. Is something still running in the foreground?'],
  ])('a forge the check fails with %s, not its FAIL: line, proves nothing and fails the step', async (_why, flag, feedback) => {
    // The same check as strict's, run through a command that can fail for reasons of its own.
    const flaky = strict.replace('```check\ntest -f real', '```check\nengine\ntest -f real').replace('# a fake instead of the real thing\ntouch fake', `# a fake instead of the real thing\ntouch fake ${flag}`).replace('rm fake\n', `rm fake ${flag}\n`);
    const { result } = await test1(lab('flaky', flaky));
    expect(result.ok).toBe(false);
    expect(result.steps[0]).toMatchObject({
      status: 'fail',
      problem: `the check failed the wrong attempt "a fake instead of the real thing" (forge at lab.md line 15) without a FAIL: line of its own, so it proves nothing: ${feedback} (lab.md line 9)`,
      forges: [{ label: 'a fake instead of the real thing', rejected: false, feedback }],
    });
    expect(forgeCoverage([result])).toEqual({ checkedSteps: 1, forged: 0 });
    expect(formatLabTestResult(result)).toContain(`    NO PROOF (no FAIL: line)  a fake instead of the real thing (line 15): ${feedback}`);
  });

  test('an undo that leaves the forge behind is caught by the solve\'s check', async () => {
    const sloppy = strict.replace('rm real fake', 'rm real');
    const { result } = await test1(lab('sloppy', sloppy));
    expect(result.steps[0]).toMatchObject({ status: 'fail', problem: expect.stringMatching(/^the check still fails after the solve: fake is there/) });
  });

  test('a forge that itself fails is an authoring error, not a rejected attempt', async () => {
    const broken = strict.replace('touch fake\n', 'false\n');
    const { result } = await test1(lab('broken', broken));
    expect(result.steps[0]).toMatchObject({ status: 'fail', problem: 'forge "a fake instead of the real thing" (lab.md line 14) exited 1' });
    expect(result.steps[0].forges).toEqual([]);
  });

  test('checked steps without forges count against the coverage', async () => {
    const { result } = await test1(lab('bare', '## A\n\n```check\ntest -f a\n```\n\n```solve\ntouch a\n```\n\n## B\n\nRead.\n\n```quiz\nquestion: Q?\nchoices:\n  - text: yes\n    correct: true\n  - text: no\n```\n'));
    expect(result.ok).toBe(true);
    expect(forgeCoverage([result])).toEqual({ checkedSteps: 1, forged: 0 });
  });
});
