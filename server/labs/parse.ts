import fs from 'node:fs';
import path from 'node:path';
import { parseBody } from './body';
import { readFrontMatter, resolveMachines, splitFrontMatter } from './front-matter';
import { Issues } from './issues';
import { variablesIn } from './render';
import type { LabDefinition, LabIssue } from './types';

/**
 * Turns one lab.md into a LabDefinition. Everything that can be wrong with a
 * single file is found here, with the line it is on; checks that need other
 * labs (prerequisites) or a shell (`bash -n`) live in validate.ts. The front
 * matter is read in front-matter.ts, the Markdown body in body.ts, and each
 * directive block by its own file in directives/.
 */

export interface ParseResult {
  /** Null when any error was found: a half-understood lab is never served. */
  lab: LabDefinition | null;
  issues: LabIssue[];
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
