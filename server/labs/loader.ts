import fs from 'node:fs';
import path from 'node:path';
import YAML, { LineCounter, type Node as YamlNode } from 'yaml';
import { courseSchema } from './schema';
import { parseLabFile } from './parse';
import type { Course, LabDefinition, LabIssue } from './types';

/**
 * Loads every lab under a folder. A broken lab is reported and left out so
 * one typo never takes the whole catalog down in front of a class.
 */

export interface LoadResult {
  labs: LabDefinition[];
  issues: LabIssue[];
  course: Course;
}

export const COURSE_FILE = 'course.yaml';

/** Folders directly under `dir` that hold a lab.md, sorted so results are stable. */
export function labFolders(dir: string): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.') && fs.existsSync(path.join(dir, e.name, 'lab.md')))
    .map((e) => path.join(dir, e.name))
    .sort();
}

export function loadLabs(dir: string): LoadResult {
  const issues: LabIssue[] = [];
  const labs: LabDefinition[] = [];
  const byId = new Map<string, LabDefinition>();
  if (!fs.existsSync(dir)) {
    issues.push({ severity: 'error', file: dir, message: 'the labs folder does not exist', hint: 'create it, or set BERTH_LABS_DIR' });
  }
  for (const folder of labFolders(dir)) {
    const result = parseLabFile(path.join(folder, 'lab.md'));
    issues.push(...result.issues);
    const lab = result.lab;
    if (!lab) continue;
    const first = byId.get(lab.id);
    if (first) {
      issues.push({
        severity: 'error',
        file: lab.source.file,
        line: lineOfId(lab.source.file),
        field: 'id',
        message: `duplicate lab id "${lab.id}" (also used by ${path.relative(dir, first.source.file)})`,
        hint: 'lab ids must be unique; change one of them (and its folder name)',
      });
      continue;
    }
    byId.set(lab.id, lab);
    labs.push(lab);
  }
  const course = loadCourse(dir, labs, issues);
  return { labs, issues, course };
}

function lineOfId(file: string): number | undefined {
  const index = fs.readFileSync(file, 'utf8').split(/\r?\n/).findIndex((l) => /^id\s*:/.test(l));
  return index < 0 ? undefined : index + 1;
}

/** Reads course.yaml; without one every lab is offered, easiest first. */
export function loadCourse(dir: string, labs: LabDefinition[], issues: LabIssue[]): Course {
  const file = path.join(dir, COURSE_FILE);
  const order = { beginner: 0, intermediate: 1, advanced: 2 };
  const fallback = (): Course => ({
    title: 'Labs',
    sections: labs.length
      ? [{ title: 'Labs', labs: [...labs].sort((a, b) => order[a.difficulty] - order[b.difficulty] || a.id.localeCompare(b.id)).map((l) => l.id) }]
      : [],
  });
  if (!fs.existsSync(file)) return fallback();

  const lineCounter = new LineCounter();
  const doc = YAML.parseDocument(fs.readFileSync(file, 'utf8'), { lineCounter, prettyErrors: true, uniqueKeys: true });
  const lineOf = (p: Array<string | number>): number | undefined => {
    for (let n = p.length; n >= 0; n--) {
      const node = doc.getIn(p.slice(0, n), true) as YamlNode | undefined;
      if (node?.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  if (doc.errors.length) {
    for (const err of doc.errors) {
      issues.push({ severity: 'error', file, line: err.linePos?.[0].line, message: `invalid YAML: ${err.message.split('\n')[0]}`, hint: 'check indentation and quoting' });
    }
    return fallback();
  }
  const parsed = courseSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const p = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
      issues.push({
        severity: 'error',
        file,
        line: lineOf(p),
        field: p.join('.') || undefined,
        message: issue.message,
        hint: 'course.yaml has title: and sections: (each with title: and labs: [lab ids])',
      });
    }
    return fallback();
  }

  const known = new Set(labs.map((l) => l.id));
  const listed = new Set<string>();
  const sections = parsed.data.sections.map((section, si) => ({
    title: section.title,
    labs: section.labs.filter((id, li) => {
      if (listed.has(id)) {
        issues.push({ severity: 'warning', file, line: lineOf(['sections', si, 'labs', li]), field: `sections.${si}.labs`, message: `lab "${id}" is listed twice`, hint: 'keep it in one place' });
        return false;
      }
      listed.add(id);
      if (!known.has(id)) {
        issues.push({
          severity: 'error',
          file,
          line: lineOf(['sections', si, 'labs', li]),
          field: `sections.${si}.labs`,
          message: `unknown lab id "${id}"`,
          hint: 'use the id of a folder under labs/ that loads without errors',
        });
        return false;
      }
      return true;
    }),
  }));
  const unlisted = labs.map((l) => l.id).filter((id) => !listed.has(id));
  if (unlisted.length) {
    issues.push({
      severity: 'warning',
      file,
      message: `labs not in any section: ${unlisted.join(', ')} (offered under "More labs")`,
      hint: 'add them to a section of course.yaml',
    });
    sections.push({ title: 'More labs', labs: unlisted });
  }
  return { title: parsed.data.title, sections };
}

export interface LabWatcher {
  close(): void;
}

/**
 * Reloads the catalog when anything under `dir` changes. Editors save in
 * bursts (temp file, rename, chmod), so changes are debounced into one reload.
 */
export function watchLabs(dir: string, onChange: (result: LoadResult) => void, debounceMs = 250): LabWatcher {
  let timer: NodeJS.Timeout | null = null;
  const trigger = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      onChange(loadLabs(dir));
    }, debounceMs);
  };
  const watchers: fs.FSWatcher[] = [];
  const watch = (target: string, recursive: boolean) => {
    try {
      const w = fs.watch(target, { recursive }, trigger);
      w.on('error', () => trigger());
      watchers.push(w);
      return true;
    } catch {
      return false;
    }
  };
  // Recursive watching is missing on some platforms and file systems; one
  // watcher per lab folder then still catches edits to lab.md.
  if (!watch(dir, true)) {
    watch(dir, false);
    for (const folder of labFolders(dir)) watch(folder, false);
  }
  return {
    close() {
      if (timer) clearTimeout(timer);
      for (const w of watchers) w.close();
    },
  };
}
