import fs from 'node:fs';
import path from 'node:path';
import { DIRECTIVES, directiveNamed, takesHint } from '../../../server/labs/directives';
import { BEGIN_MARKER, directiveDocs, END_MARKER, withDirectiveDocs } from '../../../server/labs/directives/docs-table';
import { parseLab } from '../../../server/labs/parse';

const DOCS = path.join(__dirname, '../../../docs/lab-format.md');

function issuesOf(body: string) {
  return parseLab(`---\nid: x\ntitle: T\nsummary: S.\n---\n\n${body}`, '/tmp/x/lab.md').issues;
}

test('docs/lab-format.md holds the directive tables the registry generates (run npm run docs:directives after changing a directive)', () => {
  const docs = fs.readFileSync(DOCS, 'utf8');
  const begin = docs.indexOf(BEGIN_MARKER);
  const end = docs.indexOf(END_MARKER);
  expect(begin).toBeGreaterThanOrEqual(0);
  expect(end).toBeGreaterThan(begin);
  expect(docs.slice(begin, end + END_MARKER.length)).toBe(directiveDocs());
});

test('every directive file in server/labs/directives is in the registry, once', async () => {
  const dir = path.join(__dirname, '../../../server/labs/directives');
  const modules = await Promise.all(fs.readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => import(path.join(dir, f)) as Promise<Record<string, unknown>>));
  const declared = modules
    .flatMap((m) => Object.values(m))
    .filter((v): v is { name: string } => typeof v === 'object' && v !== null && 'build' in v && 'allowedIn' in v);
  expect(declared.length).toBeGreaterThan(0);
  for (const d of declared) expect(DIRECTIVES).toContain(d);
  expect(new Set(DIRECTIVES.map((d) => d.name)).size).toBe(DIRECTIVES.length);
});

test('the generated tables name every directive and every attribute', () => {
  const docs = directiveDocs();
  for (const d of DIRECTIVES) {
    expect(docs).toContain(`\`\`\`${d.name}`);
    for (const a of d.attributes) expect(docs).toContain(a.flag ? `\`${a.name}\`` : `\`${a.name}=`);
  }
  expect(docs).toContain('| `setup` | yes (lab-level) | yes | no |');
  expect(docs).toContain('Default: 20 s for `check` and `setup`, 60 s for `forge` and `undo`, 120 s for `solve`. A `check` without `timeout=` gets');
});

test('rewriting the docs replaces only what lies between the markers, and says which file lacks them', () => {
  const stale = `before\n${BEGIN_MARKER}\nold table\n${END_MARKER}\nafter\n`;
  expect(withDirectiveDocs(stale, 'guide.md')).toBe(`before\n${directiveDocs()}\nafter\n`);
  expect(() => withDirectiveDocs('no markers here', 'guide.md')).toThrow(/^guide\.md: the directive tables' markers are missing/);
});

test('the "takes: …" hint lists the attributes the registry gives the directive', () => {
  const [issue] = issuesOf('## A\n\n```setup visibel\ntrue\n```\n');
  expect(issue).toMatchObject({ line: 9, message: 'unknown attribute "visibel" on a setup block' });
  expect(issue.hint).toBe(takesHint(directiveNamed('setup')!, 'visible'));
  expect(issue.hint).toBe('did you mean "visible"? a setup block takes: machine=NAME, timeout=SECONDS, visible');
  const [edit] = issuesOf('## A\n\n```edit path=/root/a colour=red\nx\n```\n');
  expect(edit.hint).toBe('an edit block takes: machine=NAME, path=/ABSOLUTE/PATH, lines=N-M');
  const [hint] = issuesOf('## A\n\n```hint machine=docker\nx\n```\n');
  expect(hint.hint).toBe('a hint block takes no attributes');
});

test('where a directive may stand comes from the registry', () => {
  for (const d of DIRECTIVES) {
    const intro = issuesOf(`\`\`\`${d.name}\ntrue\n\`\`\`\n\n## A\n\n\`\`\`check\ntrue\n\`\`\`\n`).filter((i) => /cannot be in the introduction/.test(i.message));
    expect(intro.length).toBe(d.allowedIn.includes('intro') ? 0 : 1);
  }
  const [finish] = issuesOf('## A\n\ntext\n\n## Finish\n\n```run\nls\n```\n');
  expect(finish).toMatchObject({ line: 13, message: 'a run block cannot be in the Finish section' });
});
