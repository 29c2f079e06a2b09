import fs from 'node:fs';
import path from 'node:path';
import { marked, type Token, type Tokens } from 'marked';
import YAML, { isMap, isScalar, LineCounter, type Document, type Node as YamlNode, type ParsedNode } from 'yaml';
import type { z } from 'zod';
import { frontMatterSchema, KNOWN_KEYS, nearest, type FrontMatter } from './schema';
import { renderInline, renderMarkdown, renderTokens, variablesIn } from './render';
import type { ClientBlock, ForgeBlock, LabDefinition, LabIssue, MachineDefinition, Quiz, ScriptBlock, StepDefinition } from './types';

/**
 * Turns one lab.md into a LabDefinition. Everything that can be wrong with a
 * single file is found here, with the line it is on; checks that need other
 * labs (prerequisites) or a shell (`bash -n`) live in validate.ts.
 */

export interface ParseResult {
  /** Null when any error was found: a half-understood lab is never served. */
  lab: LabDefinition | null;
  issues: LabIssue[];
}

type Directive = 'run' | 'copy' | 'edit' | 'check' | 'hint' | 'solution' | 'solve' | 'setup' | 'quiz' | 'forge' | 'undo';

interface DirectiveSpec {
  keys: string[];
  flags: string[];
  timeout?: number;
}

const DIRECTIVES: Record<Directive, DirectiveSpec> = {
  run: { keys: ['machine'], flags: ['paste'] },
  copy: { keys: [], flags: [] },
  edit: { keys: ['machine', 'path', 'lines'], flags: [] },
  check: { keys: ['machine', 'timeout'], flags: [], timeout: 20 },
  hint: { keys: [], flags: [] },
  solution: { keys: [], flags: [] },
  solve: { keys: ['machine', 'timeout'], flags: [], timeout: 120 },
  setup: { keys: ['machine', 'timeout'], flags: ['visible'], timeout: 20 },
  quiz: { keys: [], flags: [] },
  forge: { keys: ['machine', 'timeout'], flags: [], timeout: 60 },
  undo: { keys: ['machine', 'timeout'], flags: [], timeout: 60 },
};

const MAX_TIMEOUT_SECONDS = 3600;

interface FoundBlock {
  directive: Directive;
  token: Tokens.Code;
  line: number;
  attrs: Record<string, string>;
  flags: Set<string>;
}

class Issues {
  readonly list: LabIssue[] = [];
  constructor(private readonly file: string) {}
  error(line: number | undefined, message: string, extra: { field?: string; hint?: string } = {}): void {
    this.list.push({ severity: 'error', file: this.file, line, message, ...extra });
  }
  warning(line: number | undefined, message: string, extra: { field?: string; hint?: string } = {}): void {
    this.list.push({ severity: 'warning', file: this.file, line, message, ...extra });
  }
  get hasErrors(): boolean {
    return this.list.some((i) => i.severity === 'error');
  }
}

export function parseLabFile(file: string): ParseResult {
  let source: string;
  try {
    source = fs.readFileSync(file, 'utf8');
  } catch (err) {
    return { lab: null, issues: [{ severity: 'error', file, message: `cannot read lab.md: ${(err as Error).message}` }] };
  }
  return parseLab(source, file);
}

export function parseLab(rawSource: string, file: string): ParseResult {
  const issues = new Issues(file);
  const source = rawSource.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const split = splitFrontMatter(source, issues);
  if (!split) return { lab: null, issues: issues.list };

  const front = readFrontMatter(split.yaml, split.yamlFirstLine, issues);
  if (!front) return { lab: null, issues: issues.list };

  const dir = path.dirname(path.resolve(file));
  const machines = resolveMachines(front.data, front.doc, front.lineOf, dir, issues);
  const folder = path.basename(dir);
  if (front.data.id !== folder && path.basename(file) === 'lab.md') {
    issues.error(front.lineOf(['id']), `id "${front.data.id}" does not match the folder name "${folder}"`, {
      field: 'id',
      hint: `rename the folder to ${front.data.id}/ or set id: ${folder}`,
    });
  }

  const body = parseBody(split.body, split.bodyFirstLine, machines.map((m) => m.name), issues);
  checkVariables(split.body, split.bodyFirstLine, machines.map((m) => m.name), issues);

  if (issues.hasErrors || !body) return { lab: null, issues: issues.list };
  const lab: LabDefinition = {
    id: front.data.id,
    title: front.data.title,
    summary: front.data.summary,
    difficulty: front.data.difficulty,
    minutes: front.data.minutes,
    tags: front.data.tags,
    prerequisites: front.data.prerequisites,
    requires: front.data.requires,
    next: front.data.next,
    machines,
    tabs: front.data.tabs,
    setup: body.setup,
    introHtml: body.introHtml,
    introBlocks: body.introBlocks,
    steps: body.steps,
    finish: body.finish,
    source: { dir, file: path.resolve(file) },
  };
  return { lab, issues: issues.list };
}

// ---------------------------------------------------------------- front matter

interface Split {
  yaml: string;
  yamlFirstLine: number;
  body: string;
  bodyFirstLine: number;
}

function splitFrontMatter(source: string, issues: Issues): Split | null {
  const lines = source.split('\n');
  if (lines[0]?.trimEnd() !== '---') {
    issues.error(1, 'lab.md must start with front matter: a line "---", the YAML fields, then another "---"', {
      hint: 'add the front matter at the top; see docs/lab-format.md for the fields',
    });
    return null;
  }
  const close = lines.findIndex((l, i) => i > 0 && (l.trimEnd() === '---' || l.trimEnd() === '...'));
  if (close < 0) {
    issues.error(1, 'the front matter is never closed: no second "---" line', { hint: 'put a line "---" after the last YAML field' });
    return null;
  }
  return {
    yaml: lines.slice(1, close).join('\n'),
    yamlFirstLine: 2,
    body: lines.slice(close + 1).join('\n'),
    bodyFirstLine: close + 2,
  };
}

interface FrontMatterResult {
  data: FrontMatter;
  doc: Document.Parsed;
  lineOf(path: ReadonlyArray<PropertyKey>): number;
}

function readFrontMatter(yaml: string, firstLine: number, issues: Issues): FrontMatterResult | null {
  const lineCounter = new LineCounter();
  const doc = YAML.parseDocument(yaml, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const lineAt = (offset: number) => lineCounter.linePos(offset).line + firstLine - 1;
  if (doc.errors.length > 0) {
    for (const err of doc.errors) {
      const line = err.linePos ? err.linePos[0].line + firstLine - 1 : firstLine;
      issues.error(line, `invalid YAML in front matter: ${yamlMessage(err.message)}`, { hint: yamlHint(err.code) });
    }
    return null;
  }
  const raw: unknown = doc.toJS();
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    issues.error(firstLine, 'the front matter must be YAML fields (id: ..., title: ...)', { hint: 'see docs/lab-format.md for the fields' });
    return null;
  }

  const lineOf = (p: ReadonlyArray<PropertyKey>): number => {
    // A missing field has no node; the nearest existing parent is the best place to point at.
    for (let n = p.length; n >= 0; n--) {
      const node = doc.getIn(p.slice(0, n) as unknown[], true) as YamlNode | undefined;
      if (node?.range) return lineAt(node.range[0]);
    }
    return firstLine;
  };

  const parsed = frontMatterSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) reportSchemaIssue(issue, raw, doc, lineOf, lineAt, issues);
    return null;
  }
  return { data: parsed.data, doc, lineOf };
}

function yamlMessage(message: string): string {
  // prettyErrors appends a code excerpt on later lines; the first line is the sentence.
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

function yamlHint(code: string): string {
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'each field may appear once; remove or merge the repeated one';
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
      return 'check the indentation: nested fields use two spaces more than their parent';
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'MULTILINE_IMPLICIT_KEY':
      return 'a value containing ": " or "#" needs quotes';
    default:
      return 'quote values that contain ":" or "#", and indent nested fields with spaces';
  }
}

function fieldName(p: ReadonlyArray<PropertyKey>): string {
  return p.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), '');
}

function valueAt(root: unknown, p: ReadonlyArray<PropertyKey>): unknown {
  let cur: unknown = root;
  for (const key of p) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

function slugify(value: string): string {
  return value
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

const FIELD_HINTS: Record<string, string> = {
  id: 'use the folder name, e.g. id: first-container',
  title: 'add a title, e.g. title: Your first container',
  summary: 'add one sentence saying what the student will do',
  difficulty: 'use difficulty: beginner, intermediate or advanced',
  minutes: 'give a whole number, e.g. minutes: 20',
  name: 'machine names become hostnames: e.g. name: web',
  memory: 'write a size such as memory: 512m',
  mode: 'quote the mode: mode: "0755"',
  to: 'use an absolute path such as to: /root/app',
  port: 'use the port the service listens on inside the machine, e.g. port: 8080',
};

function reportSchemaIssue(
  issue: z.core.$ZodIssue,
  raw: unknown,
  doc: Document.Parsed,
  lineOf: (p: ReadonlyArray<PropertyKey>) => number,
  lineAt: (offset: number) => number,
  issues: Issues,
): void {
  const p = issue.path;
  if (issue.code === 'unrecognized_keys') {
    const parent = doc.getIn(p as unknown[], true);
    const section = typeof p[p.length - 2] === 'string' ? String(p[p.length - 2]) : typeof p[p.length - 1] === 'string' ? String(p[p.length - 1]) : '';
    const known = KNOWN_KEYS[p.length === 0 ? '' : section] ?? [];
    for (const key of issue.keys) {
      let line = lineOf(p);
      if (isMap(parent)) {
        const pair = parent.items.find((it) => isScalar(it.key) && it.key.value === key);
        const keyNode = pair?.key as ParsedNode | undefined;
        if (keyNode?.range) line = lineAt(keyNode.range[0]);
      }
      const guess = nearest(key, known);
      issues.error(line, `unknown field "${key}"`, {
        field: fieldName([...p, key]),
        hint: guess ? `did you mean "${guess}"?` : known.length ? `known fields here: ${known.join(', ')}` : 'remove it',
      });
    }
    return;
  }
  const value = valueAt(raw, p);
  const field = fieldName(p);
  const last = [...p].reverse().find((k) => typeof k === 'string');
  let hint = typeof last === 'string' ? FIELD_HINTS[last] : undefined;
  if (value === undefined && issue.code === 'invalid_type') {
    issues.error(lineOf(p), `missing required field "${field}": ${issue.message}`, { field, hint });
    return;
  }
  if (last === 'id' && p.length === 1 && typeof value === 'string' && slugify(value)) hint = `try id: ${slugify(value)}`;
  const shown = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? `, got ${JSON.stringify(value)}` : '';
  const message = issue.code === 'custom' || issue.message.includes(', got ') ? issue.message : `${issue.message}${shown}`;
  issues.error(lineOf(p), message, { field, hint });
}

function resolveMachines(
  fm: FrontMatter,
  doc: Document.Parsed,
  lineOf: (p: ReadonlyArray<PropertyKey>) => number,
  dir: string,
  issues: Issues,
): MachineDefinition[] {
  const explicit = doc.has('machines');
  return fm.machines.map((m, mi) => ({
    ...m,
    files: m.files.map((f, fi) => {
      const from = path.resolve(dir, f.from);
      const inside = !path.relative(dir, from).startsWith('..') && !path.isAbsolute(path.relative(dir, from));
      const where = explicit ? lineOf(['machines', mi, 'files', fi, 'from']) : undefined;
      if (!inside) {
        issues.error(where, `files.from "${f.from}" points outside the lab folder`, {
          field: `machines[${mi}].files[${fi}].from`,
          hint: 'keep the files next to lab.md, e.g. from: files/app',
        });
      } else if (!fs.existsSync(from)) {
        issues.error(where, `files.from "${f.from}" does not exist`, {
          field: `machines[${mi}].files[${fi}].from`,
          hint: `create the folder ${path.relative(process.cwd(), from) || from} or fix the path (it is relative to the lab folder)`,
        });
      } else if (!realInside(dir, from)) {
        issues.error(where, `files.from "${f.from}" leads outside the lab folder through a symlink`, {
          field: `machines[${mi}].files[${fi}].from`,
          hint: 'copy the files into the lab folder instead of linking to them',
        });
      } else if (!fs.statSync(from).isDirectory()) {
        issues.error(where, `files.from "${f.from}" is a file, not a folder`, {
          field: `machines[${mi}].files[${fi}].from`,
          hint: 'put the file in a folder and name the folder; its contents are copied into "to"',
        });
      }
      return { from, to: f.to, ...(f.mode ? { mode: f.mode } : {}) };
    }),
  }));
}

// ------------------------------------------------------------------------ body

interface Body {
  setup: ScriptBlock[];
  introHtml: string;
  introBlocks: ClientBlock[];
  steps: StepDefinition[];
  finish: { title: string; html: string } | null;
}

interface Section {
  kind: 'intro' | 'step' | 'finish';
  title: string;
  line: number;
  tokens: Token[];
  /** Start line of each top-level token, by index in `tokens`. */
  lines: number[];
}

function parseBody(body: string, firstLine: number, machines: string[], issues: Issues): Body | null {
  const tokens = marked.lexer(body, { gfm: true });
  const sections: Section[] = [{ kind: 'intro', title: '', line: firstLine, tokens: [], lines: [] }];
  let line = firstLine;
  for (const token of tokens) {
    if (token.type === 'heading' && token.depth === 2) {
      const heading = (token as Tokens.Heading).text.trim();
      const finish = /^finish(?::\s*(.*))?$/i.exec(heading);
      sections.push({
        kind: finish ? 'finish' : 'step',
        title: finish ? plain(finish[1] ?? '') || 'Finish' : plain(heading),
        line,
        tokens: [],
        lines: [],
      });
    } else {
      const current = sections[sections.length - 1];
      current.tokens.push(token);
      current.lines.push(line);
    }
    line += (token.raw.match(/\n/g) ?? []).length;
  }

  const result: Body = { setup: [], introHtml: '', introBlocks: [], steps: [], finish: null };
  const stepIds = new Map<string, { title: string; line: number }>();
  let finishLine: number | undefined;
  for (const section of sections) {
    if (section.kind !== 'intro' && finishLine !== undefined) {
      issues.error(section.line, `"## ${section.title}" comes after "## Finish"`, {
        hint: 'the Finish section must be the last one; move it to the end',
      });
    }
    if (section.kind === 'finish') {
      if (finishLine !== undefined) continue;
      finishLine = section.line;
      const found = findBlocks(section, machines, issues);
      for (const b of found) {
        issues.error(b.line, `a ${b.directive} block cannot be in the Finish section`, {
          hint: 'the Finish section is shown when the lab is done and holds only Markdown; move the block into a step',
        });
      }
      result.finish = { title: section.title, html: renderTokens(section.tokens, new Map(found.map((b) => [b.token, null]))) };
      continue;
    }
    if (section.kind === 'intro') {
      const built = buildSection(section, 'intro', machines, issues);
      result.introHtml = built.html;
      result.introBlocks = built.blocks;
      result.setup = built.setup;
      continue;
    }
    let id = slugify(section.title) || `step-${result.steps.length + 1}`;
    const earlier = stepIds.get(id);
    if (earlier) {
      const message =
        earlier.title === section.title
          ? `duplicate step heading "${section.title}" (first used at line ${earlier.line})`
          : `step heading "${section.title}" gives the same step id "${id}" as "${earlier.title}" at line ${earlier.line}`;
      issues.error(section.line, message, { hint: 'step headings must be unique within a lab; rename one of them' });
      id = `${id}-${section.line}`;
    }
    stepIds.set(id, { title: section.title, line: section.line });
    const built = buildSection(section, id, machines, issues);
    result.steps.push({
      index: result.steps.length,
      id,
      title: section.title,
      html: built.html,
      blocks: built.blocks,
      checks: built.checks,
      hintsHtml: built.hints,
      solutionHtml: built.solution,
      solve: built.solve,
      setup: built.setup,
      quizzes: built.quizzes,
      forges: built.forges,
      line: section.line,
    });
  }
  if (result.steps.length === 0) {
    issues.error(firstLine, 'the lab has no steps', { hint: 'start each step with a "## " heading, e.g. "## Run a container"' });
  }
  return result;
}

/** Step titles are shown as text; inline Markdown marks would show up literally. */
function plain(markdown: string): string {
  return markdown.replace(/[`*_]/g, '').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').trim();
}

interface BuiltSection {
  html: string;
  blocks: ClientBlock[];
  checks: ScriptBlock[];
  solve: ScriptBlock[];
  setup: ScriptBlock[];
  hints: string[];
  solution: string | null;
  quizzes: Quiz[];
  forges: ForgeBlock[];
}

function buildSection(section: Section, prefix: string, machines: string[], issues: Issues): BuiltSection {
  const out: BuiltSection = { html: '', blocks: [], checks: [], solve: [], setup: [], hints: [], solution: null, quizzes: [], forges: [] };
  const placeholders = new Map<Tokens.Code, string | null>();
  const counters: Record<string, number> = {};
  const nextId = (kind: string) => {
    counters[kind] = (counters[kind] ?? 0) + 1;
    // "." never appears in a slug, so block ids cannot collide across steps.
    return `${prefix}.${kind}-${counters[kind]}`;
  };
  const solutions: string[] = [];
  for (const b of findBlocks(section, machines, issues)) {
    placeholders.set(b.token, null);
    const machine = b.attrs.machine ?? machines[0];
    const text = b.token.text;
    if (section.kind === 'intro' && !['run', 'copy', 'edit', 'setup'].includes(b.directive)) {
      issues.error(b.line, `a ${b.directive} block cannot be in the introduction`, {
        hint: 'the text before the first "## " heading only introduces the lab; move the block into a step',
      });
      continue;
    }
    switch (b.directive) {
      case 'forge':
      case 'undo': {
        if (!text.trim()) issues.error(b.line, `the ${b.directive} block is empty`, { hint: 'write the bash script between the fences, or remove the block' });
        const script: ScriptBlock = {
          machine,
          script: text,
          timeoutSeconds: b.attrs.timeout ? Number(b.attrs.timeout) : (DIRECTIVES[b.directive].timeout ?? 60),
          visible: false,
          line: b.line,
        };
        if (b.directive === 'forge') {
          out.forges.push({ ...script, label: forgeLabel(text, b.line), undo: [] });
        } else if (out.forges.length === 0) {
          issues.error(b.line, 'an undo block must follow a forge block', {
            hint: 'an undo puts back what the forge just before it did; write the ```forge block first',
          });
        } else {
          out.forges[out.forges.length - 1].undo.push(script);
        }
        break;
      }
      case 'run': {
        const id = nextId('run');
        out.blocks.push({ kind: 'run', id, machine, command: text, mode: b.flags.has('paste') ? 'paste' : 'run' });
        placeholders.set(b.token, id);
        break;
      }
      case 'copy': {
        const id = nextId('copy');
        out.blocks.push({ kind: 'copy', id, text });
        placeholders.set(b.token, id);
        break;
      }
      case 'edit': {
        const block = editBlock(nextId('edit'), machine, b, issues);
        if (block) {
          out.blocks.push(block);
          placeholders.set(b.token, block.id);
        }
        break;
      }
      case 'check':
      case 'solve':
      case 'setup': {
        if (!text.trim()) issues.error(b.line, `the ${b.directive} block is empty`, { hint: 'write the bash script between the fences, or remove the block' });
        const script: ScriptBlock = {
          machine,
          script: text,
          timeoutSeconds: b.attrs.timeout ? Number(b.attrs.timeout) : (DIRECTIVES[b.directive].timeout ?? 20),
          timeoutSet: Boolean(b.attrs.timeout),
          visible: b.flags.has('visible'),
          line: b.line,
        };
        (b.directive === 'check' ? out.checks : b.directive === 'solve' ? out.solve : out.setup).push(script);
        break;
      }
      case 'hint':
        out.hints.push(renderMarkdown(text));
        break;
      case 'solution':
        if (solutions.length === 1) {
          issues.warning(b.line, 'a second solution block in this step is appended to the first', {
            hint: 'a step has one solution; merge the blocks',
          });
        }
        solutions.push(text);
        break;
      case 'quiz': {
        const id = nextId('quiz');
        const quiz = parseQuiz(text, id, b.line, issues);
        if (quiz) {
          out.quizzes.push(quiz);
          out.blocks.push({ kind: 'quiz', id });
          placeholders.set(b.token, id);
        }
        break;
      }
    }
  }
  if (solutions.length) out.solution = renderMarkdown(solutions.join('\n\n'));
  if (out.forges.length && out.checks.length === 0 && section.kind === 'step') {
    issues.error(out.forges[0].line, `step "${section.title}" has a forge but no check`, {
      hint: 'a forge is a wrong attempt the step\'s check must reject; add a ```check block or remove the forge',
    });
  }
  out.html = renderTokens(section.tokens, placeholders);
  return out;
}

/**
 * An `edit` block: a file the student writes in the editor. "Open in editor"
 * creates it with the block's text if it is missing, or opens it and selects
 * `lines`; `berth lab test` writes it the same way before the step's solve.
 */
function editBlock(id: string, machine: string, b: FoundBlock, issues: Issues): Extract<ClientBlock, { kind: 'edit' }> | null {
  const path = b.attrs.path;
  if (!path) {
    issues.error(b.line, 'an edit block needs the file it opens: path=/ABSOLUTE/PATH', { field: 'path', hint: 'for example ```edit path=/root/app/Dockerfile' });
    return null;
  }
  if (!path.startsWith('/') || path.endsWith('/') || path.split('/').includes('..') || /[\0\s]/.test(path)) {
    issues.error(b.line, `path=${path} must be an absolute path to a file, without "..", spaces or a trailing "/"`, { field: 'path', hint: 'for example path=/root/app/Dockerfile' });
    return null;
  }
  let lines: [number, number] | undefined;
  if (b.attrs.lines !== undefined) {
    const m = /^(\d{1,6})(?:-(\d{1,6}))?$/.exec(b.attrs.lines);
    const from = m ? Number(m[1]) : 0;
    const to = m ? Number(m[2] ?? m[1]) : 0;
    if (!m || from < 1 || to < from) {
      issues.error(b.line, `lines=${b.attrs.lines} is not a line or a range of lines`, { field: 'lines', hint: 'write lines=3 or lines=2-5 (1-based, inclusive)' });
      return null;
    }
    lines = [from, to];
  }
  const text = b.token.text.length && !b.token.text.endsWith('\n') ? `${b.token.text}\n` : b.token.text;
  return { kind: 'edit', id, machine, path, text, ...(lines ? { lines } : {}) };
}

/** The forge's first comment names it in lab test's table ("# docker kill instead of OOM"). */
function forgeLabel(script: string, line: number): string {
  const comment = script.split('\n').map((l) => /^\s*#\s*(.*?)\s*$/.exec(l)).find((m) => m && m[1] && !m[1].startsWith('!'));
  return comment ? comment[1] : `forge at line ${line}`;
}

const FENCE_OPEN = /^\s*(?:(?:[-*+]|\d{1,9}[.)]|>)\s*)*(`{3,}|~{3,})\s*(.*)$/;

/** Every directive fence in a section, in order, with the line of its opening fence. */
function findBlocks(section: Section, machines: string[], issues: Issues): FoundBlock[] {
  const found: FoundBlock[] = [];
  section.tokens.forEach((top, i) => {
    const topLine = section.lines[i];
    if (top.type === 'code') {
      const block = directiveOf(top as Tokens.Code, topLine, machines, issues);
      if (block) found.push(block);
      return;
    }
    // Fences inside lists and quotes: their token has lost the indentation, so
    // find the line by matching opening fences in the parent's raw text, in order.
    const rawLines = top.raw.split('\n');
    let cursor = 0;
    marked.walkTokens([top], (t) => {
      if (t === top || t.type !== 'code') return;
      const code = t as Tokens.Code;
      if (code.codeBlockStyle === 'indented' || !code.lang?.trim()) return;
      let line = topLine;
      for (let k = cursor; k < rawLines.length; k++) {
        const m = FENCE_OPEN.exec(rawLines[k]);
        if (m && m[2].trim() === code.lang.trim()) {
          line = topLine + k;
          cursor = k + 1;
          break;
        }
      }
      const block = directiveOf(code, line, machines, issues);
      if (block) found.push(block);
    });
  });
  return found;
}

/** "an edit block", "a run block". */
function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}

function directiveOf(token: Tokens.Code, line: number, machines: string[], issues: Issues): FoundBlock | null {
  if (token.codeBlockStyle === 'indented') return null;
  const words = (token.lang ?? '').trim().split(/\s+/).filter(Boolean);
  const name = words[0];
  if (!name || !Object.hasOwn(DIRECTIVES, name)) return null;
  const directive = name as Directive;
  const spec = DIRECTIVES[directive];
  const attrs: Record<string, string> = {};
  const flags = new Set<string>();
  const placeholder: Record<string, string> = { machine: 'NAME', timeout: 'SECONDS', path: '/ABSOLUTE/PATH', lines: 'N-M' };
  const allowed = [...spec.keys.map((k) => `${k}=${placeholder[k] ?? 'VALUE'}`), ...spec.flags];
  for (const word of words.slice(1)) {
    const eq = word.indexOf('=');
    const key = eq < 0 ? word : word.slice(0, eq);
    const value = eq < 0 ? undefined : word.slice(eq + 1).replace(/^(["'])(.*)\1$/, '$2');
    if (value === undefined && spec.flags.includes(key)) {
      flags.add(key);
    } else if (value !== undefined && spec.keys.includes(key)) {
      attrs[key] = value;
    } else {
      const guess = nearest(key, [...spec.keys, ...spec.flags]);
      issues.error(line, `unknown attribute "${word}" on ${article(directive)} ${directive} block`, {
        hint: allowed.length
          ? `${guess ? `did you mean "${guess}"? ` : ''}${article(directive)} ${directive} block takes: ${allowed.join(', ')}`
          : `${article(directive)} ${directive} block takes no attributes`,
      });
    }
  }
  if (attrs.machine !== undefined && !machines.includes(attrs.machine)) {
    const guess = nearest(attrs.machine, machines);
    issues.error(line, `unknown machine "${attrs.machine}" in a ${directive} block`, {
      field: 'machine',
      hint: `${guess ? `did you mean machine=${guess}? ` : ''}the lab's machines are: ${machines.join(', ')} (add it under machines: in the front matter)`,
    });
  }
  if (attrs.timeout !== undefined) {
    const seconds = Number(attrs.timeout);
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_TIMEOUT_SECONDS) {
      issues.error(line, `timeout=${attrs.timeout} is not a whole number of seconds from 1 to ${MAX_TIMEOUT_SECONDS}`, {
        field: 'timeout',
        hint: 'write e.g. timeout=60',
      });
    }
  }
  return { directive, token, line, attrs, flags };
}

function parseQuiz(text: string, id: string, fenceLine: number, issues: Issues): Quiz | null {
  const lineCounter = new LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter, prettyErrors: true });
  const lineAt = (offset: number) => fenceLine + lineCounter.linePos(offset).line;
  if (doc.errors.length) {
    const err = doc.errors[0];
    issues.error(err.linePos ? fenceLine + err.linePos[0].line : fenceLine, `invalid YAML in quiz: ${yamlMessage(err.message)}`, {
      hint: 'a quiz holds question:, choices: (a list of - text: ... with correct: true on the right ones) and explanation:',
    });
    return null;
  }
  const data: unknown = doc.toJS();
  const at = (key: string) => {
    const node = doc.getIn([key], true) as YamlNode | undefined;
    return node?.range ? lineAt(node.range[0]) : fenceLine;
  };
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    issues.error(fenceLine, 'a quiz must be YAML with question:, choices: and explanation:', { hint: 'see the quiz example in docs/lab-format.md' });
    return null;
  }
  const q = data as Record<string, unknown>;
  for (const key of Object.keys(q)) {
    if (!['question', 'choices', 'explanation', 'multiple'].includes(key)) {
      const guess = nearest(key, ['question', 'choices', 'explanation', 'multiple']);
      issues.error(at(key), `unknown quiz field "${key}"`, { field: key, hint: guess ? `did you mean "${guess}"?` : 'a quiz has question, choices, explanation, multiple' });
    }
  }
  if (typeof q.question !== 'string' || !q.question.trim()) {
    issues.error(at('question'), 'the quiz has no question', { field: 'question', hint: 'add question: followed by the question text' });
    return null;
  }
  if (!Array.isArray(q.choices) || q.choices.length < 2) {
    issues.error(at('choices'), 'a quiz needs at least two choices', { field: 'choices', hint: 'list them under choices:, e.g. - text: Type 1 hypervisor' });
    return null;
  }
  const choices: Array<{ html: string; correct: boolean }> = [];
  q.choices.forEach((c: unknown, i: number) => {
    const node = doc.getIn(['choices', i], true) as YamlNode | undefined;
    const line = node?.range ? lineAt(node.range[0]) : at('choices');
    if (typeof c === 'string' || typeof c === 'number') {
      choices.push({ html: renderInline(String(c)), correct: false });
    } else if (c && typeof c === 'object' && typeof (c as Record<string, unknown>).text === 'string') {
      const choice = c as Record<string, unknown>;
      if (choice.correct !== undefined && typeof choice.correct !== 'boolean') {
        issues.error(line, `"correct" must be true or false, got ${JSON.stringify(choice.correct)}`, { field: `choices[${i}].correct`, hint: 'write correct: true, or leave it out' });
      }
      choices.push({ html: renderInline(String(choice.text)), correct: choice.correct === true });
    } else {
      issues.error(line, `choice ${i + 1} has no text`, { field: `choices[${i}]`, hint: 'write - text: the answer (and correct: true on the right ones)' });
    }
  });
  if (q.multiple !== undefined && typeof q.multiple !== 'boolean') {
    issues.error(at('multiple'), 'multiple must be true or false', { field: 'multiple', hint: 'write multiple: true' });
  }
  const correct = choices.filter((c) => c.correct).length;
  if (correct === 0) {
    issues.error(at('choices'), 'the quiz has no correct choice', {
      field: 'choices',
      hint: 'mark the right answer with correct: true',
    });
  } else if (correct > 1 && q.multiple !== true) {
    issues.error(at('choices'), `the quiz marks ${correct} choices correct but is single-choice`, {
      field: 'multiple',
      hint: 'add multiple: true, or leave only one choice correct',
    });
  }
  if (q.explanation !== undefined && typeof q.explanation !== 'string') {
    issues.error(at('explanation'), 'the explanation must be text', { field: 'explanation', hint: 'write explanation: followed by text (use | for several lines)' });
  }
  return {
    id,
    questionHtml: renderMarkdown(q.question),
    multiple: q.multiple === true,
    choices,
    explanationHtml: typeof q.explanation === 'string' ? renderMarkdown(q.explanation) : '',
    line: fenceLine,
  };
}

/** `{{machine:X}}` and `{{url:X:PORT}}` must name a machine of this lab. */
function checkVariables(body: string, firstLine: number, machines: string[], issues: Issues): void {
  body.split('\n').forEach((text, i) => {
    for (const v of variablesIn(text)) {
      if (v.machine !== undefined && !machines.includes(v.machine)) {
        issues.error(firstLine + i, `${v.raw} names machine "${v.machine}", which is not in this lab`, {
          hint: `the lab's machines are: ${machines.join(', ')}`,
        });
      }
      if (v.port !== undefined && (v.port < 1 || v.port > 65535)) {
        issues.error(firstLine + i, `${v.raw}: port ${v.port} is not from 1 to 65535`);
      }
    }
  });
}

/** `file` with symlinks resolved stays inside `dir` (resolved too): a link must not smuggle host files into a machine. */
function realInside(dir: string, file: string): boolean {
  try {
    const rel = path.relative(fs.realpathSync(dir), fs.realpathSync(file));
    return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
  } catch {
    return false;
  }
}
