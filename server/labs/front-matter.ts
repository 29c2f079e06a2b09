import fs from 'node:fs';
import path from 'node:path';
import YAML, { isMap, isScalar, LineCounter, type Document, type Node as YamlNode, type ParsedNode } from 'yaml';
import type { z } from 'zod';
import type { Issues } from './issues';
import { frontMatterSchema, KNOWN_KEYS, nearest, type FrontMatter } from './schema';
import type { MachineDefinition } from './types';

/**
 * The front matter of a lab.md: where it ends, its YAML read against the
 * schema with every problem on its line, and the machines' files resolved
 * inside the lab folder.
 */

export interface Split {
  yaml: string;
  yamlFirstLine: number;
  body: string;
  bodyFirstLine: number;
}

export function splitFrontMatter(source: string, issues: Issues): Split | null {
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

export interface FrontMatterResult {
  data: FrontMatter;
  doc: Document.Parsed;
  lineOf(path: ReadonlyArray<PropertyKey>): number;
}

export function readFrontMatter(yaml: string, firstLine: number, issues: Issues): FrontMatterResult | null {
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

export function yamlMessage(message: string): string {
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

export function slugify(value: string): string {
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

export function resolveMachines(
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

/** `file` with symlinks resolved stays inside `dir` (resolved too): a link must not smuggle host files into a machine. */
function realInside(dir: string, file: string): boolean {
  try {
    const rel = path.relative(fs.realpathSync(dir), fs.realpathSync(file));
    return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
  } catch {
    return false;
  }
}
