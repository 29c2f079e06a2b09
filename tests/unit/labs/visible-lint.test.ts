import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { validateLabs } from '../../../server/labs/validate';

/** `lab validate` warns where `visible` cannot apply, naming the file and the fence's line. */

function labDir(body: string): { dir: string; file: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-visible-'));
  const dir = path.join(root, 'vis');
  fs.mkdirSync(dir);
  const file = path.join(dir, 'lab.md');
  fs.writeFileSync(file, `---\nid: vis\ntitle: T\nsummary: S.\n---\n\n${body}`);
  return { dir, file };
}

const step = '## One\n\n```check\ntest -f /root/x\n```\n\n```solve\ntouch /root/x\n```\n\n```run\ntouch /root/x\n```\n';

test('visible on lab-level setup: it runs hidden before any terminal exists', async () => {
  const { dir, file } = labDir(`Intro.\n\n\`\`\`setup visible\necho hello\n\`\`\`\n\n${step}`);
  try {
    const { issues } = await validateLabs([dir]);
    expect(issues).toEqual([
      {
        severity: 'warning',
        file,
        line: 9,
        field: 'visible',
        message: 'visible does nothing on a setup block before the first step: lab-level setup runs hidden while the machines start, before any terminal is open',
        hint: 'to type it into the terminal, move the block into the first step; otherwise remove "visible"',
      },
    ]);
  } finally {
    fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  }
});

test('visible in a step is fine, in the first step too; a timeout on it is not', async () => {
  const { dir, file } = labDir(`${step}\n\`\`\`setup visible\necho typed\n\`\`\`\n\n## Two\n\n\`\`\`setup visible timeout=30\necho typed\n\`\`\`\n\n\`\`\`setup timeout=30\ntrue\n\`\`\`\n\n${step.replace('## One', '').replace(/\/root\/x/g, '/root/y')}`);
  try {
    const { issues } = await validateLabs([dir]);
    expect(issues).toEqual([
      expect.objectContaining({
        severity: 'warning',
        file,
        line: 27,
        field: 'timeout',
        message: "timeout=30 does nothing on a visible setup block: it is typed into the student's terminal, not run by Berth",
      }),
    ]);
  } finally {
    fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  }
});

test('visible on a check, solve, forge or undo is no attribute at all: an error naming what the block takes', async () => {
  for (const [directive, a] of [['check', 'a'], ['solve', 'a'], ['forge', 'a'], ['undo', 'an']]) {
    const { dir, file } = labDir(`## One\n\n\`\`\`${directive} visible\ntrue\n\`\`\`\n`);
    try {
      const { issues } = await validateLabs([dir]);
      expect(issues.filter((i) => i.severity === 'error')[0]).toEqual({
        severity: 'error',
        file,
        line: 9,
        message: `unknown attribute "visible" on ${a} ${directive} block`,
        hint: `${a} ${directive} block takes: machine=NAME, timeout=SECONDS${directive === 'check' ? ', kind=KIND' : ''}`,
      });
    } finally {
      fs.rmSync(path.dirname(dir), { recursive: true, force: true });
    }
  }
});
