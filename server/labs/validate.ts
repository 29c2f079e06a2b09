import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import YAML, { LineCounter, type Node as YamlNode } from 'yaml';
import { labFolders, loadCourse } from './loader';
import { parseLabFile } from './parse';
import type { LabDefinition, LabIssue, ScriptBlock, StepDefinition } from './types';

/**
 * `berth lab validate`: everything that can be known about a lab without
 * starting machines. The loader's checks, plus references between labs,
 * `bash -n` on every script, and lint warnings about labs that will work but
 * teach badly. Errors fail CI; warnings are advice.
 */

export interface ValidateResult {
  labs: LabDefinition[];
  issues: LabIssue[];
  /** Labs looked at, including the ones that failed to load. */
  checked: number;
}

interface Target {
  folders: string[];
  /** Folders holding several labs (and maybe course.yaml). */
  roots: string[];
}

function resolveTargets(paths: string[], issues: LabIssue[]): Target {
  const target: Target = { folders: [], roots: [] };
  for (const p of paths) {
    const abs = path.resolve(p);
    if (!fs.existsSync(abs)) {
      issues.push({ severity: 'error', file: p, message: 'no such file or folder', hint: 'give a labs folder, a lab folder or a lab.md' });
    } else if (fs.statSync(abs).isFile()) {
      if (path.basename(abs) === 'lab.md') target.folders.push(path.dirname(abs));
      else issues.push({ severity: 'error', file: p, message: 'not a lab.md', hint: 'give a labs folder, a lab folder or a lab.md' });
    } else if (fs.existsSync(path.join(abs, 'lab.md'))) {
      target.folders.push(abs);
    } else {
      const inside = labFolders(abs);
      if (inside.length === 0) {
        issues.push({ severity: 'error', file: p, message: 'no lab.md here or in any folder directly below', hint: 'each lab is a folder holding a lab.md' });
      }
      target.folders.push(...inside);
      target.roots.push(abs);
    }
  }
  target.folders = [...new Set(target.folders)].sort();
  return target;
}

export async function validateLabs(paths: string[]): Promise<ValidateResult> {
  const issues: LabIssue[] = [];
  const target = resolveTargets(paths, issues);
  const labs: LabDefinition[] = [];
  const byId = new Map<string, LabDefinition>();

  for (const folder of target.folders) {
    const result = parseLabFile(path.join(folder, 'lab.md'));
    issues.push(...result.issues);
    if (!result.lab) continue;
    const first = byId.get(result.lab.id);
    if (first) {
      issues.push({
        severity: 'error',
        file: result.lab.source.file,
        line: frontMatterLine(result.lab.source.file, ['id']),
        field: 'id',
        message: `duplicate lab id "${result.lab.id}" (also used by ${first.source.file})`,
        hint: 'lab ids must be unique; change one of them (and its folder name)',
      });
      continue;
    }
    byId.set(result.lab.id, result.lab);
    labs.push(result.lab);
  }

  // A lab may name any lab beside it, loaded here or not; a broken neighbour reports its own errors.
  const known = new Set<string>(byId.keys());
  for (const folder of target.folders) {
    for (const sibling of labFolders(path.dirname(folder))) known.add(path.basename(sibling));
  }
  for (const lab of labs) {
    checkReferences(lab, known, issues);
    lint(lab, issues);
  }
  checkPrerequisiteCycles(labs, issues);
  for (const root of target.roots) {
    const inRoot = labs.filter((l) => path.dirname(l.source.dir) === root);
    // Labs that failed to load are still real ids as far as course.yaml is concerned.
    const placeholders = labFolders(root)
      .map((f) => path.basename(f))
      .filter((id) => !inRoot.some((l) => l.id === id))
      .map((id) => ({ id, difficulty: 'beginner' }) as LabDefinition);
    loadCourse(root, [...inRoot, ...placeholders], issues);
  }
  issues.push(...(await checkScripts(labs)));
  issues.sort((a, b) => a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0));
  return { labs, issues, checked: target.folders.length };
}

/** Finds the line of a front matter field, for issues found after parsing. */
export function frontMatterLine(file: string, fieldPath: Array<string | number>): number | undefined {
  const lines = fs.readFileSync(file, 'utf8').replace(/\r\n?/g, '\n').split('\n');
  const close = lines.findIndex((l, i) => i > 0 && (l.trimEnd() === '---' || l.trimEnd() === '...'));
  if (lines[0]?.trimEnd() !== '---' || close < 0) return undefined;
  const lineCounter = new LineCounter();
  const doc = YAML.parseDocument(lines.slice(1, close).join('\n'), { lineCounter });
  for (let n = fieldPath.length; n >= 0; n--) {
    const node = doc.getIn(fieldPath.slice(0, n), true) as YamlNode | undefined;
    if (node?.range) return lineCounter.linePos(node.range[0]).line + 1;
  }
  return undefined;
}

function checkReferences(lab: LabDefinition, known: Set<string>, issues: LabIssue[]): void {
  const file = lab.source.file;
  lab.prerequisites.forEach((id, i) => {
    if (id === lab.id) {
      issues.push({ severity: 'error', file, line: frontMatterLine(file, ['prerequisites', i]), field: `prerequisites[${i}]`, message: 'a lab cannot be its own prerequisite', hint: 'remove it from prerequisites' });
    } else if (!known.has(id)) {
      issues.push({
        severity: 'error',
        file,
        line: frontMatterLine(file, ['prerequisites', i]),
        field: `prerequisites[${i}]`,
        message: `unknown prerequisite "${id}"`,
        hint: 'use the id (folder name) of another lab in the same labs folder',
      });
    }
  });
  if (lab.next !== null && !known.has(lab.next)) {
    issues.push({
      severity: 'error',
      file,
      line: frontMatterLine(file, ['next']),
      field: 'next',
      message: `unknown next lab "${lab.next}"`,
      hint: 'use the id (folder name) of another lab in the same labs folder, or remove next',
    });
  }
}

function checkPrerequisiteCycles(labs: LabDefinition[], issues: LabIssue[]): void {
  const byId = new Map(labs.map((l) => [l.id, l]));
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, trail: string[]): void => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(id)), id];
      const lab = byId.get(id);
      if (lab) {
        issues.push({
          severity: 'error',
          file: lab.source.file,
          line: frontMatterLine(lab.source.file, ['prerequisites']),
          field: 'prerequisites',
          message: `prerequisites go round in a circle: ${cycle.join(' → ')}`,
          hint: 'a lab cannot require a lab that requires it',
        });
      }
      return;
    }
    state.set(id, 'visiting');
    for (const next of byId.get(id)?.prerequisites ?? []) if (byId.has(next)) visit(next, [...trail, id]);
    state.set(id, 'done');
  };
  for (const lab of labs) visit(lab.id, []);
}

function lint(lab: LabDefinition, issues: LabIssue[]): void {
  const file = lab.source.file;
  if (lab.requires.length) {
    issues.push({
      severity: 'warning',
      file,
      line: frontMatterLine(file, ['requires']),
      field: 'requires',
      message: `needs host features beyond plain Docker-in-Docker: ${lab.requires.join(', ')}`,
      hint: 'make sure the Berth host provides them (berth doctor), or students will hit errors plain DinD cannot explain',
    });
  }
  lintVisibleSetup(lab, issues);
  for (const step of lab.steps) {
    if (step.checks.length === 0 && step.quizzes.length === 0) {
      issues.push({
        severity: 'warning',
        file,
        line: step.line,
        message: `step "${step.title}" has no check and no quiz`,
        hint: 'add a ```check block so Berth can tell the student the step is done (fine for a reading-only step)',
      });
    }
    lintHelp(lab, step, issues);
    if (step.checks.length > 0 && step.solve.length === 0) {
      issues.push({
        severity: 'warning',
        file,
        line: step.checks[0].line,
        message: `step "${step.title}" has a check but no solve`,
        hint: 'add a ```solve block with what an expert would type, so berth lab test can prove the check passes',
      });
    }
  }
}

/**
 * The help a checked step owes the student once its Run buttons stop being
 * the answer. A step whose Run buttons hold every command of its solve needs
 * nothing more: pressing them is the task. Any other checked step asks for
 * work the buttons do not do (a file to write, a command to find), so it needs
 * at least one hint and a solution; with no run, copy or edit block at all,
 * hints are the only way forward, so two.
 */
function lintHelp(lab: LabDefinition, step: StepDefinition, issues: LabIssue[]): void {
  if (step.checks.length === 0) return;
  const hints = step.hintsHtml.length;
  const solution = step.solutionHtml !== null;
  const hasBlock = step.blocks.some((b) => b.kind === 'run' || b.kind === 'copy' || b.kind === 'edit');
  const missing = (need: number) => `it has ${hints} hint(s)${solution ? '' : ' and no solution'}; it needs ${need} and a solution`;
  if (!hasBlock) {
    if (hints >= 2 && solution) return;
    issues.push({
      severity: 'warning',
      file: lab.source.file,
      line: step.line,
      message: `step "${step.title}" has no run, copy or edit block, so hints are the student's only way forward: ${missing(2)}`,
      hint: 'add ```hint blocks that lead to the command step by step, and a ```solution block with it',
    });
    return;
  }
  if (hints >= 1 && solution) return;
  const writes = step.blocks.some((b) => b.kind === 'copy' || b.kind === 'edit');
  const notPressed = commandsNotInRunBlocks(step);
  if (notPressed.length === 0 && !writes) return;
  const why = writes ? 'it asks the student to write a file' : `its solve runs \`${notPressed[0].slice(0, 80)}\`, which no Run button does`;
  issues.push({
    severity: 'warning',
    file: lab.source.file,
    line: step.line,
    message: `step "${step.title}" asks for more than pressing its Run buttons (${why}): ${missing(1)}`,
    hint: 'add a ```hint that points the way and a ```solution block with the commands, or give the missing command its own ```run block if pressing it is the task',
  });
}

/** Normalised so a solve may differ from a Run button in spacing and in hiding output. */
const normalise = (s: string) => s.replace(/\s*[12]?>\s*\/dev\/null/g, '').replace(/\s*2>&1/g, '').replace(/\s+/g, ' ').trim();

/**
 * Solve commands no Run button of the step holds. Lines that only tidy or
 * wait are left out: a blank or comment, a `sleep`, a clean-up ending in
 * `|| true`, and a loop that polls until it can break, with sleep (joined
 * to one line first).
 */
export function commandsNotInRunBlocks(step: StepDefinition): string[] {
  const runs = step.blocks.flatMap((b) => (b.kind === 'run' ? [normalise(b.command)] : []));
  const commands: string[] = [];
  for (const block of step.solve) {
    let loop: string[] = [];
    let depth = 0;
    for (const raw of block.script.split('\n')) {
      const line = raw.trim();
      if (!line || line.startsWith('#')) continue;
      // Quoted text is data: a `do` inside sh -c '…' opens no loop of this script.
      const words = line.replace(/'[^']*'|"[^"]*"/g, ' ').split(/[\s;]+/);
      depth += words.filter((w) => w === 'do').length - words.filter((w) => w === 'done').length;
      loop.push(line);
      if (depth <= 0) {
        commands.push(normalise(loop.join(' ')));
        loop = [];
        depth = 0;
      }
    }
    if (loop.length) commands.push(normalise(loop.join(' ')));
  }
  const tidy = (c: string) => /^sleep [\d.]+$/.test(c) || /\|\| true$/.test(c) || (/^(for|while|until) /.test(c) && /\bbreak\b/.test(c) && /\bsleep [\d.]+/.test(c) && /\bdone$/.test(c));
  return commands.filter((c) => !tidy(c) && !runs.some((r) => r.includes(c)));
}

/**
 * `visible` where it cannot do anything (server/sessions/step-setup.ts types
 * visible blocks of a step into the student's terminal). Lab-level setup runs
 * hidden while the machines start, before any terminal exists; a visible
 * block is typed, not run, so a timeout never applies. (On check, solve, forge
 * and undo `visible` is no attribute at all: the parser reports it as an error.)
 */
function lintVisibleSetup(lab: LabDefinition, issues: LabIssue[]): void {
  const file = lab.source.file;
  for (const block of lab.setup.filter((b) => b.visible)) {
    issues.push({
      severity: 'warning',
      file,
      line: block.line,
      field: 'visible',
      message: 'visible does nothing on a setup block before the first step: lab-level setup runs hidden while the machines start, before any terminal is open',
      hint: 'to type it into the terminal, move the block into the first step; otherwise remove "visible"',
    });
  }
  for (const block of lab.steps.flatMap((s) => s.setup).filter((b) => b.visible && b.timeoutSet)) {
    issues.push({
      severity: 'warning',
      file,
      line: block.line,
      field: 'timeout',
      message: `timeout=${block.timeoutSeconds} does nothing on a visible setup block: it is typed into the student's terminal, not run by Berth`,
      hint: 'remove timeout=, or remove "visible" to run the block hidden with that timeout',
    });
  }
}

interface NamedScript {
  lab: LabDefinition;
  kind: string;
  block: ScriptBlock;
}

function scriptsOf(lab: LabDefinition): NamedScript[] {
  const out: NamedScript[] = lab.setup.map((block) => ({ lab, kind: 'lab setup', block }));
  for (const step of lab.steps) {
    for (const block of step.setup) out.push({ lab, kind: 'setup', block });
    for (const block of step.checks) out.push({ lab, kind: 'check', block });
    for (const block of step.solve) out.push({ lab, kind: 'solve', block });
    for (const forge of step.forges) {
      out.push({ lab, kind: 'forge', block: forge });
      for (const block of forge.undo) out.push({ lab, kind: 'undo', block });
    }
  }
  return out;
}

async function checkScripts(labs: LabDefinition[]): Promise<LabIssue[]> {
  const scripts = labs.flatMap(scriptsOf);
  const issues: LabIssue[] = [];
  let next = 0;
  const worker = async () => {
    while (next < scripts.length) {
      const s = scripts[next++];
      const lastLine = s.block.script.split('\n').length;
      for (const problem of await bashSyntax(s.block.script)) {
        issues.push({
          severity: 'error',
          file: s.lab.source.file,
          // Script line 1 is the line after the opening fence.
          // "unexpected end of file" is reported past the last line: the closing fence.
          line: problem.line === undefined ? s.block.line : s.block.line + Math.min(problem.line, lastLine + 1),
          message: `bash syntax error in ${s.kind} script: ${problem.message}`,
          hint: 'fix the script; try it with bash -n',
        });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, scripts.length) }, worker));
  return issues;
}

/** Runs `bash -n` on a script; returns its complaints with script-relative lines. */
export function bashSyntax(script: string): Promise<Array<{ line?: number; message: string }>> {
  return new Promise((resolve) => {
    // With -c, bash names the line of each error; reading from stdin it does not.
    const child = spawn('bash', ['-n', '-c', script], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('error', (err) => resolve([{ message: `cannot run bash: ${err.message}` }]));
    child.on('close', (code) => {
      if (code === 0) return resolve([]);
      const problems: Array<{ line?: number; message: string }> = [];
      for (const raw of stderr.split('\n')) {
        const m = /^bash: -c: line (\d+): (.*)$/.exec(raw.trim());
        // bash repeats the offending source line after the message; that echo adds nothing.
        if (m && !/^`.*'$/.test(m[2])) problems.push({ line: Number(m[1]), message: m[2] });
      }
      resolve(problems.length ? problems : [{ message: stderr.trim() || `bash -n exited with ${code}` }]);
    });
  });
}

/** `file:line: error|warning: message (field) — hint`, the shape editors and CI annotate from. */
export function formatIssue(issue: LabIssue, cwd = process.cwd()): string {
  const file = path.isAbsolute(issue.file) ? path.relative(cwd, issue.file) || issue.file : issue.file;
  const where = issue.line === undefined ? file : `${file}:${issue.line}`;
  const field = issue.field ? ` (${issue.field})` : '';
  const hint = issue.hint ? ` — ${issue.hint}` : '';
  return `${where}: ${issue.severity}: ${issue.message}${field}${hint}`;
}
