// Over ~350 lines on purpose: one converter of a foreign format, read top to bottom (index.json → machines → markdown →
// scripts → assets), with every guess it makes reported; splitting it would scatter the mapping a reviewer checks in one place.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { parseLabFile } from './parse';
import type { LabIssue } from './types';

/**
 * Converts a KillerCoda scenario (or a legacy Katacoda one) into a Berth lab
 * folder. The aim is a lab that loads and mostly works; everything that had
 * to be guessed or dropped is listed in the report, so the instructor knows
 * exactly what to review instead of discovering it in class.
 */

export interface ImportNote {
  /** info: mapped, worth knowing; warning: approximated, review it; error: dropped, rework needed. */
  severity: 'info' | 'warning' | 'error';
  /** The scenario file (relative to the scenario folder) the note is about. */
  source: string;
  message: string;
}

export interface ImportReport {
  id: string;
  outDir: string;
  labFile: string;
  notes: ImportNote[];
  /** What the Berth loader says about the result. */
  issues: LabIssue[];
}

export interface ImportOptions {
  /** Defaults to a slug of the scenario folder name. */
  id?: string;
  /** Replace a non-empty output folder. */
  force?: boolean;
}

interface KcText {
  title?: string;
  text?: string;
  verify?: string;
  background?: string;
  foreground?: string;
  // Legacy Katacoda step keys.
  answer?: string;
  code?: string;
  courseData?: string;
}

interface KcAsset {
  file: string;
  target: string;
  chmod?: string;
}

interface KcIndex {
  title?: string;
  description?: string;
  difficulty?: string;
  time?: string;
  pathwayTitle?: string;
  details?: {
    intro?: KcText;
    steps?: KcText[];
    finish?: KcText;
    assets?: Record<string, KcAsset[]>;
  };
  backend?: { imageid?: string };
  interface?: { layout?: string };
  environment?: {
    uilayout?: string;
    showdashboard?: boolean;
    dashboards?: Array<{ name?: string; port?: number; href?: string }>;
    terminals?: unknown[];
    hideintro?: boolean;
  };
}

class Notes {
  readonly list: ImportNote[] = [];
  add(severity: ImportNote['severity'], source: string, message: string): void {
    if (!this.list.some((n) => n.source === source && n.message === message)) this.list.push({ severity, source, message });
  }
}

export function slug(value: string): string {
  return value
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
}

/** host01 → host01, HOST2 → host02: KillerCoda and Katacoda name hosts both ways. */
function hostName(n: number): string {
  return `host${String(n).padStart(2, '0')}`;
}

export function importKillercoda(scenarioDir: string, outDir: string, options: ImportOptions = {}): ImportReport {
  const src = path.resolve(scenarioDir);
  const indexFile = path.join(src, 'index.json');
  if (!fs.existsSync(indexFile)) throw new Error(`${scenarioDir}: no index.json; is this a KillerCoda scenario folder?`);
  let index: KcIndex;
  try {
    index = JSON.parse(fs.readFileSync(indexFile, 'utf8')) as KcIndex;
  } catch (err) {
    throw new Error(`${indexFile}: not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  const out = path.resolve(outDir);
  if (fs.existsSync(out) && fs.readdirSync(out).length > 0) {
    if (!options.force) throw new Error(`${outDir} exists and is not empty; choose another --out or pass --force`);
    fs.rmSync(out, { recursive: true, force: true });
  }

  const notes = new Notes();
  const id = options.id ?? (slug(path.basename(src)) || slug(index.title ?? '') || 'imported-lab');
  const details = index.details ?? {};
  const read = (rel: string | undefined, what: string): string | null => {
    if (!rel) return null;
    const file = path.join(src, rel);
    if (!fs.existsSync(file)) {
      notes.add('error', rel, `${what} file is missing; left out`);
      return null;
    }
    if (!insideFolder(src, file)) {
      notes.add('error', rel, `${what} file is outside the scenario folder (a ../ path or a symlink); left out`);
      return null;
    }
    return fs.readFileSync(file, 'utf8').replace(/\r\n?/g, '\n');
  };

  const machines = planMachines(index, notes);
  const primary = machines[0].name;
  const converter = new MarkdownConverter(notes, primary);

  const body: string[] = [];
  const intro = details.intro ?? {};
  const introText = read(intro.text, 'intro text');
  if (introText) body.push(converter.convert(introText, intro.text ?? 'intro', 'intro').trim(), '');
  // The intro's visible scripts are typed into the student's terminal, which does not exist while the
  // lab's own setup runs: they open the first step instead (a lab-level setup always runs hidden).
  const introTyped: string[] = [];
  for (const [key, visible] of [['background', false], ['courseData', false], ['foreground', true], ['code', true]] as const) {
    const script = read(intro[key], `intro ${key}`);
    if (script === null) continue;
    const block = scriptFence('setup', script, primary, visible, intro[key] ?? key, notes);
    if (visible && (details.steps ?? []).length > 0) {
      introTyped.push(block, '');
      notes.add('info', intro[key] ?? key, `the intro's ${key} script opens the first step: Berth types it when the student's terminal opens`);
    } else body.push(block, '');
  }
  for (const key of ['verify', 'answer'] as const) {
    if (intro[key]) notes.add('warning', intro[key] ?? key, `the intro's ${key} has no place in Berth's introduction; left out`);
  }

  (details.steps ?? []).forEach((step, i) => {
    const where = step.text ?? `step ${i + 1}`;
    let title = (step.title ?? '').trim() || `Step ${i + 1}`;
    // "## Finish" would start Berth's finish section instead of a step.
    if (/^finish(:|$)/i.test(title)) title = `Step ${i + 1}: ${title}`;
    body.push(`## ${title}`, '');
    if (i === 0) body.push(...introTyped);
    for (const [key, visible] of [['background', false], ['courseData', false], ['foreground', true], ['code', true]] as const) {
      const script = read(step[key], `step ${i + 1} ${key}`);
      if (script !== null) body.push(scriptFence('setup', script, primary, visible, step[key] ?? key, notes), '');
    }
    const text = read(step.text, `step ${i + 1} text`);
    const converted = text === null ? null : converter.convert(text, where, 'step');
    if (converted) body.push(converted.trim(), '');
    const verify = read(step.verify, `step ${i + 1} verify`);
    if (verify !== null) body.push(scriptFence('check', legacyVerify(verify, step.verify ?? '', notes), primary, false, step.verify ?? 'verify', notes), '');
    const answer = read(step.answer, `step ${i + 1} answer`);
    if (answer !== null) {
      body.push(fence('solution', converter.convert(answer, step.answer ?? 'answer', 'finish').trim()), '');
      notes.add('info', step.answer ?? 'answer', 'the Katacoda answer became the step\'s solution');
    }
    const commands = converter.takeStepCommands();
    if (verify !== null && commands.length) {
      const solve = ['# Generated from the step\'s {{exec}} commands: review before trusting `berth lab test`.', ...commands].join('\n');
      body.push(fence(`solve machine=${primary}`, solve), '');
      notes.add('warning', step.verify ?? where, 'a solve block was generated from the step\'s {{exec}} commands; check it reaches what the verify script expects');
    } else if (verify !== null) {
      notes.add('warning', step.verify ?? where, 'no solve block: the step has no {{exec}} commands to build one from; write one so berth lab test can prove the check');
    }
  });
  if ((details.steps ?? []).length === 0) notes.add('error', 'index.json', 'the scenario has no steps');

  const finish = details.finish;
  const finishText = finish ? read(finish.text, 'finish text') : null;
  if (finish && finishText !== null) {
    const title = (finish.title ?? '').trim();
    body.push(title ? `## Finish: ${title}` : '## Finish', '', converter.convert(finishText, finish.text ?? 'finish', 'finish').trim(), '');
  }
  for (const key of ['background', 'foreground', 'verify', 'courseData', 'code'] as const) {
    if (finish?.[key]) notes.add('warning', finish[key] ?? key, `the finish ${key} script was left out: Berth's Finish section is text only`);
  }

  fs.mkdirSync(out, { recursive: true });
  copyAssets(src, out, details.assets ?? {}, machines, notes);

  const front = frontMatter(index, id, machines, notes);
  const labFile = path.join(out, 'lab.md');
  fs.writeFileSync(labFile, `---\n${YAML.stringify(front, { lineWidth: 0 }).trimEnd()}\n---\n\n${body.join('\n').replace(/\n{3,}/g, '\n\n').trim()}\n`);

  const { issues } = parseLabFile(labFile);
  return { id, outDir: out, labFile, notes: notes.list, issues };
}

// -------------------------------------------------------------------- machines

interface PlannedMachine {
  name: string;
  files: Array<{ from: string; to: string; mode?: string }>;
}

function planMachines(index: KcIndex, notes: Notes): PlannedMachine[] {
  const image = index.backend?.imageid ?? '';
  let count = 1;
  if (!image) {
    notes.add('info', 'index.json', 'no backend.imageid; using one Docker-in-Docker machine');
  } else if (/kubernetes|kubeadm|k3s|k8s|minikube|openshift/i.test(image)) {
    const nodes = /(\d+)\s*nodes?/i.exec(image);
    count = nodes ? Math.min(5, Number(nodes[1])) : 2;
    notes.add(
      'error',
      'index.json',
      `backend.imageid "${image}" is a Kubernetes cluster; Berth machines run Docker, not Kubernetes. The hosts became ${count} Docker-in-Docker machines; rework the lab (kind or k3d inside a machine can provide a cluster)`,
    );
  } else if (/^(ubuntu|debian|docker|centos|alpine|fedora)/i.test(image)) {
    notes.add('info', 'index.json', `backend.imageid "${image}" became a Docker-in-Docker machine (Debian-based, Docker inside); distribution-specific commands (apt versions, snap) may differ`);
  } else {
    notes.add('warning', 'index.json', `backend.imageid "${image}" is unknown to the importer; using a Docker-in-Docker machine`);
  }
  const hosts = Object.keys(index.details?.assets ?? {})
    .map((h) => /^host0*(\d+)$/i.exec(h))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]));
  count = Math.min(5, Math.max(count, ...hosts));
  const machines = Array.from({ length: count }, (_, i) => ({ name: hostName(i + 1), files: [] }));
  notes.add('info', 'index.json', `machines are named ${machines.map((m) => m.name).join(', ')} after KillerCoda's hosts; rename them in lab.md (and the machine= attributes) if you like`);
  return machines;
}

function frontMatter(index: KcIndex, id: string, machines: PlannedMachine[], notes: Notes): Record<string, unknown> {
  const title = (index.title ?? '').trim() || id;
  const description = (index.description ?? '').replace(/\s+/g, ' ').trim();
  const sentence = /^(.+?[.!?])(\s|$)/.exec(description)?.[1] ?? description;
  const summary = (sentence || title).slice(0, 200);
  const fm: Record<string, unknown> = { id, title, summary };
  if (!description) notes.add('warning', 'index.json', 'no description; the summary repeats the title, write a better one');

  const difficulty = (index.difficulty ?? '').toLowerCase();
  const levels: Record<string, string> = { beginner: 'beginner', easy: 'beginner', intermediate: 'intermediate', medium: 'intermediate', advanced: 'advanced', hard: 'advanced', expert: 'advanced' };
  if (levels[difficulty]) fm.difficulty = levels[difficulty];
  else if (difficulty) notes.add('warning', 'index.json', `difficulty "${index.difficulty}" not understood; set difficulty yourself`);
  const minutes = /(\d+)(?:\s*-\s*(\d+))?/.exec(index.time ?? '');
  if (minutes) fm.minutes = Math.min(240, Math.max(1, Number(minutes[2] ?? minutes[1])));
  else fm.minutes = 15;
  if (!index.time) notes.add('info', 'index.json', 'no time estimate; minutes set to 15');
  if (index.pathwayTitle) notes.add('info', 'index.json', `pathwayTitle "${index.pathwayTitle}": Berth orders labs in labs/course.yaml; add the lab to a section there`);
  fm.tags = ['imported'];

  fm.machines = machines.map((m) => ({ name: m.name, image: 'dind', ...(m.files.length ? { files: m.files } : {}) }));

  const layout = index.interface?.layout ?? index.environment?.uilayout;
  if (layout && /ide|editor|vscode/i.test(layout)) {
    notes.add('warning', 'index.json', `layout "${layout}" shows an editor; Berth has a terminal only, so students edit with nano or vim`);
  } else if (layout && /terminal-terminal|terminals/.test(layout)) {
    notes.add('info', 'index.json', `layout "${layout}": Berth opens one terminal per machine`);
  }
  const dashboards = index.environment?.dashboards ?? [];
  const tabs = dashboards
    .filter((d) => typeof d.port === 'number')
    .map((d) => ({ title: d.name ?? `Port ${d.port}`, machine: machines[0].name, port: d.port, path: '/' }));
  if (tabs.length) {
    fm.tabs = tabs;
    notes.add('info', 'index.json', `dashboards became tabs: ${tabs.map((t) => `${t.title} (port ${t.port})`).join(', ')}`);
  }
  if (dashboards.some((d) => typeof d.port !== 'number')) notes.add('warning', 'index.json', 'dashboards without a port (external links) were left out; link them from the text');
  if (index.environment?.terminals?.length) notes.add('warning', 'index.json', 'environment.terminals was left out: Berth opens one terminal per machine');
  return fm;
}

// ---------------------------------------------------------------------- assets

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
      if (glob[i + 1] === '/') i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/**
 * True when `file`, symlinks resolved, is inside `folder`. A scenario is
 * someone else's download: index.json paths and symlinks in it must not pull
 * the importing host's files (an SSH key, /etc/shadow) into a lab.
 */
export function insideFolder(folder: string, file: string): boolean {
  try {
    const rel = path.relative(fs.realpathSync(folder), fs.realpathSync(file));
    return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
  } catch {
    return false;
  }
}

/** A copied folder may hold symlinks deeper down; any that leads outside disqualifies it. */
function hasOutsideLink(folder: string, dir: string): boolean {
  if (!fs.lstatSync(dir).isDirectory()) return false;
  return fs.readdirSync(dir, { withFileTypes: true }).some((e) => {
    const full = path.join(dir, e.name);
    if (e.isSymbolicLink()) return !insideFolder(folder, full);
    return e.isDirectory() && hasOutsideLink(folder, full);
  });
}

function walk(dir: string, base = dir): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    const rel = path.relative(base, full).split(path.sep).join('/');
    return e.isDirectory() ? [rel, ...walk(full, base)] : [rel];
  });
}

function chmodToMode(chmod: string | undefined, where: string, notes: Notes): string | undefined {
  if (!chmod) return undefined;
  const c = chmod.trim();
  if (/^0?[0-7]{3}$/.test(c)) return c.padStart(4, '0');
  if (/^(a|u|ug|ugo)?\+x$/.test(c)) {
    if (c !== '+x' && c !== 'a+x') notes.add('warning', where, `chmod "${chmod}" approximated as 0755`);
    return '0755';
  }
  notes.add('warning', where, `chmod "${chmod}" cannot be expressed as one mode; files keep their own modes`);
  return undefined;
}

/**
 * KillerCoda copied assets to their targets before any script ran, and its
 * scripts ran from elsewhere, so a script finding files next to itself ($0)
 * broke there too. Berth copies the same files to the same targets.
 */
function copyAssets(src: string, out: string, assets: Record<string, KcAsset[]>, machines: PlannedMachine[], notes: Notes): void {
  const assetsDir = path.join(src, 'assets');
  const available = fs.existsSync(assetsDir) ? walk(assetsDir) : [];
  for (const [host, list] of Object.entries(assets)) {
    const n = /^host0*(\d+)$/i.exec(host);
    const machine = n ? machines.find((m) => m.name === hostName(Number(n[1]))) : undefined;
    if (!machine) {
      notes.add('error', 'index.json', `assets for "${host}" were left out: no such machine`);
      continue;
    }
    const groups = new Map<string, { to: string; mode?: string; dir: string }>();
    for (const asset of list) {
      const where = `assets/${asset.file}`;
      const target = (asset.target ?? '').trim();
      if (!target.startsWith('/')) {
        notes.add('error', where, `target "${asset.target}" is not an absolute folder; left out`);
        continue;
      }
      const mode = chmodToMode(asset.chmod, where, notes);
      const key = `${target}\0${mode ?? ''}`;
      let group = groups.get(key);
      if (!group) {
        const name = slug(target) || 'root';
        let dir = `files/${machine.name}/${name}${mode ? `-${mode}` : ''}`;
        while ([...groups.values()].some((g) => g.dir === dir)) dir += '-x';
        group = { to: target, mode, dir };
        groups.set(key, group);
        machine.files.push({ from: dir, to: target, ...(mode ? { mode } : {}) });
      }
      const pattern = globToRegExp(asset.file.replace(/^\.?\//, ''));
      const matches = available.filter((rel) => pattern.test(rel));
      if (matches.length === 0) {
        notes.add('error', where, 'no file in assets/ matches; left out');
        continue;
      }
      for (const rel of matches) {
        const from = path.join(assetsDir, rel);
        if (!insideFolder(src, from) || hasOutsideLink(src, from)) {
          notes.add('error', where, `${rel} leads outside the scenario folder (a symlink); left out`);
          continue;
        }
        // A glob match inside a matched folder is already copied with the folder.
        if (matches.some((m) => m !== rel && rel.startsWith(`${m}/`))) continue;
        const dest = path.join(out, group.dir, path.basename(rel));
        if (fs.existsSync(dest)) notes.add('warning', where, `${path.basename(rel)} is copied to ${target} by two assets; the later one wins`);
        fs.mkdirSync(path.dirname(dest), { recursive: true });
        fs.cpSync(from, dest, { recursive: true });
      }
      notes.add('info', where, `copied to ${target} on ${machine.name}${mode ? ` with mode ${mode}` : ''}`);
    }
    for (const g of groups.values()) fs.mkdirSync(path.join(out, g.dir), { recursive: true });
  }
}

// --------------------------------------------------------------------- scripts

function fence(info: string, content: string): string {
  // A fence must be longer than any backtick run inside it.
  const longest = Math.max(2, ...(content.match(/`{3,}/g) ?? []).map((m) => m.length));
  const ticks = '`'.repeat(longest + 1);
  return `${ticks}${info}\n${content.replace(/\n+$/, '')}\n${ticks}`;
}

function scriptFence(kind: 'setup' | 'check', script: string, machine: string, visible: boolean, source: string, notes: Notes): string {
  const body = script.replace(/^#![^\n]*\n/, '').replace(/\n+$/, '');
  if (/\$0\b|\$\{0\}|BASH_SOURCE/.test(body)) {
    notes.add('warning', source, 'the script finds files through $0 or BASH_SOURCE; Berth runs scripts inline from /root, so refer to assets at their target paths instead');
  }
  if (/\/ks\//.test(body)) {
    notes.add('warning', source, 'the script uses KillerCoda helpers under /ks/, which do not exist in Berth; remove or replace those lines');
  }
  if (/\blaunch\.sh\b/.test(body)) {
    notes.add('warning', source, 'launch.sh started the Katacoda Kubernetes cluster; it does not exist in Berth');
  }
  const info = `${kind} machine=${machine}${visible ? ' visible' : ''}`;
  if (visible) notes.add('info', source, 'foreground script became a visible setup: it is typed into the terminal when the step starts');
  return fence(info, body || 'true');
}

/** Katacoda verify scripts passed by printing "done"; Berth checks pass by exit code. */
function legacyVerify(script: string, source: string, notes: Notes): string {
  if (!/\becho\s+["']?done["']?/.test(script)) return script;
  notes.add('warning', source, 'legacy verify printed "done"; it is wrapped so the check passes when the output ends with done');
  const body = script.replace(/^#![^\n]*\n/, '').replace(/\n+$/, '');
  return `out="$(bash <<'BERTH_VERIFY' 2>&1\n${body}\nBERTH_VERIFY\n)"\nprintf '%s\\n' "$out" | tail -n 1 | grep -qx done || { echo "FAIL: not done yet"; exit 1; }`;
}

// -------------------------------------------------------------------- Markdown

type ActionKind = 'run' | 'copy' | 'plain';

class MarkdownConverter {
  private stepCommands: string[] = [];

  constructor(
    private readonly notes: Notes,
    private readonly primary: string,
  ) {}

  takeStepCommands(): string[] {
    const c = this.stepCommands;
    this.stepCommands = [];
    return c;
  }

  /** Maps an action such as `exec interrupt` or `execute HOST2`. */
  private action(raw: string, where: string, section: 'intro' | 'step' | 'finish'): { kind: ActionKind; machine?: string } {
    const words = raw.trim().split(/\s+/).filter(Boolean);
    const verb = words[0] ?? '';
    if (verb === '') return { kind: 'plain' };
    if (verb === 'copy') return { kind: section === 'finish' ? 'plain' : 'copy' };
    if (verb !== 'exec' && verb !== 'execute') {
      this.notes.add('warning', where, `action {{${raw}}} is unknown; the block became plain code`);
      return { kind: 'plain' };
    }
    if (section === 'finish') {
      this.notes.add('warning', where, 'a {{exec}} in the finish text became plain code: Berth\'s Finish section is text only');
      return { kind: 'plain' };
    }
    let machine: string | undefined;
    for (const word of words.slice(1)) {
      const host = /^HOST(\d+)$/i.exec(word);
      const terminal = /^T(\d+)$/i.exec(word);
      if (word === 'interrupt') {
        this.notes.add('warning', where, '{{exec interrupt}} sent Ctrl-C before the command; Berth sends only the command, so students may need to stop the previous one first');
      } else if (host) {
        machine = hostName(Number(host[1]));
      } else if (terminal) {
        this.notes.add('warning', where, `{{execute ${word}}} targeted terminal ${terminal[1]}; Berth runs it in the machine's terminal`);
      } else {
        this.notes.add('warning', where, `"${word}" in {{${raw}}} was ignored`);
      }
    }
    return { kind: 'run', machine };
  }

  private block(kind: ActionKind, content: string, indent: string, lang: string, machine: string | undefined, section: 'intro' | 'step' | 'finish'): string[] {
    const info = kind === 'plain' ? lang : kind === 'run' && machine && machine !== this.primary ? `run machine=${machine}` : kind;
    if (kind === 'run' && section === 'step') this.stepCommands.push(content.replace(/\n+$/, ''));
    return fence(info, content).split('\n').map((l) => (l ? indent + l : l));
  }

  convert(markdown: string, where: string, section: 'intro' | 'step' | 'finish'): string {
    const lines = this.placeholders(markdown.replace(/\r\n?/g, '\n'), where).split('\n');
    const out: string[] = [];
    let pending: string[] = [];
    // Blocks for inline actions go after their paragraph, not inside it.
    const flush = () => {
      if (pending.length) out.push('', ...pending, '');
      pending = [];
    };
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      const open = /^(\s*)(`{3,}|~{3,})\s*([^`\s]*)[^`]*$/.exec(line);
      if (open) {
        flush();
        const [, indent, marker, lang] = open;
        const content: string[] = [];
        let action: string | undefined;
        let j = i + 1;
        for (; j < lines.length; j++) {
          const close = new RegExp(`^\\s*${marker[0]}{${marker.length},}\\s*(?:\\{\\{([^}]*)\\}\\})?\\s*$`).exec(lines[j]);
          if (close) {
            action = close[1];
            break;
          }
          content.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j]);
        }
        // The action may also stand alone on the line after the closing fence.
        const after = /^\s*\{\{([^}]*)\}\}\s*$/.exec(lines[j + 1] ?? '');
        if (action === undefined && after) {
          action = after[1];
          j++;
        }
        const mapped = action === undefined ? { kind: 'plain' as const } : this.action(action, where, section);
        const plainLang = lang && lang !== 'plain' ? lang : '';
        out.push(...this.block(mapped.kind, content.join('\n'), indent, plainLang, mapped.machine, section));
        i = j;
        continue;
      }
      if (line.trim() === '') {
        flush();
        out.push(line);
        continue;
      }
      // A step heading inside a step's text would start a new Berth step.
      const heading = /^##(\s.*)$/.exec(line);
      if (heading) {
        flush();
        out.push(`###${heading[1]}`);
        continue;
      }
      const indent = /^(\s*)(?:[-*+]|\d{1,9}[.)])\s+/.exec(line);
      const blockIndent = indent ? ' '.repeat(indent[0].length) : (/^\s*/.exec(line)?.[0] ?? '');
      const alone = /^\s*(?:(?:[-*+]|\d{1,9}[.)])\s+)?`([^`\n]+)`\{\{([^}]*)\}\}\s*$/.exec(line);
      if (alone && !indent) {
        const mapped = this.action(alone[2], where, section);
        out.push(...this.block(mapped.kind, alone[1], blockIndent, '', mapped.machine, section));
        continue;
      }
      const replaced = line.replace(/`([^`\n]+)`\{\{([^}]*)\}\}/g, (_whole, code: string, raw: string) => {
        const mapped = this.action(raw, where, section);
        if (mapped.kind !== 'plain') pending.push(...this.block(mapped.kind, code, blockIndent, '', mapped.machine, section));
        return `\`${code}\``;
      });
      out.push(replaced);
      this.imageNote(line, where);
    }
    flush();
    return out.join('\n');
  }

  private imageNote(line: string, where: string): void {
    for (const m of line.matchAll(/!\[[^\]]*\]\(([^)\s]+)[^)]*\)/g)) {
      if (!/^https?:/i.test(m[1])) {
        this.notes.add('warning', where, `image ${m[1]} is a local file; Berth does not serve lab images, so link it from a public URL or remove it`);
      }
    }
  }

  /** KillerCoda and Katacoda URL/host placeholders become Berth variables where there is one. */
  private placeholders(text: string, where: string): string {
    let result = text.replace(/\{\{TRAFFIC_HOST(\d+)_(\d+)\}\}\/?/g, (_w, host: string, port: string) => `{{url:${hostName(Number(host))}:${port}}}`);
    result = result.replace(
      /(?:https?:\/\/)?\[\[HOST(\d*)_SUBDOMAIN\]\]-(\d+)-\[\[KATACODA_HOST\]\]\.environments\.katacoda\.com\/?/g,
      (_w, host: string, port: string) => `{{url:${hostName(Number(host || '1'))}:${port}}}`,
    );
    if (result !== text) this.notes.add('info', where, 'links to published ports became {{url:MACHINE:PORT}}, which Berth fills with its proxy URL');
    result = result.replace(/\[\[HOST(\d*)_IP\]\]/g, (_w, host: string) => {
      this.notes.add('warning', where, `[[HOST${host}_IP]] became {{machine:${hostName(Number(host || '1'))}}}, the hostname: commands needing a literal IP should use $(getent hosts NAME)`);
      return `{{machine:${hostName(Number(host || '1'))}}}`;
    });
    result = result.replace(/\[\[HOST(\d*)_SUBDOMAIN\]\]/g, (whole) => {
      this.notes.add('error', where, `${whole} outside a port URL has no Berth equivalent; rewrite it (perhaps with {{url:MACHINE:PORT}})`);
      return whole;
    });
    for (const m of result.matchAll(/\{\{(TRAFFIC_SELECTOR|[A-Z][A-Z0-9_]+)\}\}|\[\[([A-Z][A-Z0-9_]+)\]\]/g)) {
      this.notes.add('error', where, `placeholder ${m[0]} has no Berth equivalent; rewrite it`);
    }
    return result;
  }
}
