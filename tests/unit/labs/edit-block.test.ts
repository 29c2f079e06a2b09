import { parseLab } from '../../../server/labs/parse';
import { editWrites } from '../../../server/labs/lab-test';

const lab = (body: string) => `---
id: edit-lab
title: Edit
summary: An edit block.
difficulty: beginner
minutes: 5
machines:
  - name: node1
  - name: node2
---
Intro.

## Write a Dockerfile

${body}

\`\`\`check
test -f /root/app/Dockerfile
\`\`\`

\`\`\`solve
docker build -t app /root/app
\`\`\`
`;

test('an edit block becomes a client block with its machine, path, lines and text', () => {
  const r = parseLab(lab('```edit machine=node2 path=/root/app/Dockerfile lines=2-3\nFROM alpine\nRUN echo hi\nCMD ["sh"]\n```'), '/labs/edit-lab/lab.md');
  expect(r.issues.filter((i) => i.severity === 'error')).toEqual([]);
  const block = r.lab!.steps[0].blocks.find((b) => b.kind === 'edit');
  expect(block).toEqual({ kind: 'edit', id: expect.stringMatching(/edit-1$/), machine: 'node2', path: '/root/app/Dockerfile', text: 'FROM alpine\nRUN echo hi\nCMD ["sh"]\n', lines: [2, 3] });
  expect(r.lab!.steps[0].html).toContain(`data-berth-block="${block!.id}"`);
});

test.each([
  ['```edit\nx\n```', /needs the file it opens/, 'path'],
  ['```edit path=root/Dockerfile\nx\n```', /absolute path/, 'path'],
  ['```edit path=/root/../etc/passwd\nx\n```', /absolute path/, 'path'],
  ['```edit path=/root/app/\nx\n```', /absolute path/, 'path'],
  ['```edit path=/root/a lines=0\nx\n```', /not a line or a range/, 'lines'],
  ['```edit path=/root/a lines=5-2\nx\n```', /not a line or a range/, 'lines'],
  ['```edit path=/root/a machine=node9\nx\n```', /unknown machine "node9"/, 'machine'],
])('%s is refused naming the field', (body, message, field) => {
  const r = parseLab(lab(body), '/labs/edit-lab/lab.md');
  const error = r.issues.find((i) => i.severity === 'error');
  expect(error?.message).toMatch(message);
  expect(error?.field).toBe(field);
  expect(error?.file).toBe('/labs/edit-lab/lab.md');
  expect(error?.line).toBe(15);
  expect(r.lab).toBeNull();
});

test('lab test writes an edit block the way Open in editor would: only when missing, any text safely', () => {
  const spaced = parseLab(lab("```edit path=/root/it's here/Dockerfile\nx\n```"), '/labs/edit-lab/lab.md');
  expect(spaced.issues.filter((i) => i.severity === 'error').map((i) => i.message)).toEqual(['unknown attribute "here/Dockerfile" on an edit block']);
  const ok = parseLab(lab("```edit path=/root/it's/Dockerfile\nEOF\n'quotes' and $vars\n```"), '/labs/edit-lab/lab.md');
  const [write] = editWrites(ok.lab!.steps[0]);
  expect(write.machine).toBe('node1');
  expect(write.script).toContain(`f='/root/it'\\''s/Dockerfile'; [ -e "$f" ] ||`);
  const body = /printf '%s' '([A-Za-z0-9+/=]+)'/.exec(write.script)![1];
  expect(Buffer.from(body, 'base64').toString()).toBe("EOF\n'quotes' and $vars\n");
});
