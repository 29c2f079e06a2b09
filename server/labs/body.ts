import { marked, type Token, type Tokens } from 'marked';
import { article, directiveNamed, takesHint, type BuildContext, type BuiltSection, type FoundBlock, type Place } from './directives';
import { slugify } from './front-matter';
import type { Issues } from './issues';
import { renderMarkdown, renderTokens } from './render';
import { nearest } from './schema';
import type { ClientBlock, ScriptBlock, StepDefinition } from './types';

/**
 * The Markdown after the front matter: cut into the introduction, the steps
 * and the finish section, each directive fence found (in lists and quotes
 * too) with its line, and built by its directive from ./directives.
 */

export interface Body {
  setup: ScriptBlock[];
  introHtml: string;
  introBlocks: ClientBlock[];
  steps: StepDefinition[];
  finish: { title: string; html: string } | null;
}

interface Section {
  kind: Place;
  title: string;
  line: number;
  tokens: Token[];
  /** Start line of each top-level token, by index in `tokens`. */
  lines: number[];
}

export function parseBody(body: string, firstLine: number, machines: string[], issues: Issues): Body | null {
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
        issues.error(b.line, `a ${b.directive.name} block cannot be in the Finish section`, {
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
      solutionHtml: built.solutions.length ? renderMarkdown(built.solutions.join('\n\n')) : null,
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

const MISPLACED: Record<Place, { where: string; hint: string }> = {
  intro: { where: 'the introduction', hint: 'the text before the first "## " heading only introduces the lab; move the block into a step' },
  step: { where: 'a step', hint: 'move the block before the first "## " heading' },
  finish: { where: 'the Finish section', hint: 'the Finish section is shown when the lab is done and holds only Markdown; move the block into a step' },
};

function buildSection(section: Section, prefix: string, machines: string[], issues: Issues): BuiltSection {
  const out: BuiltSection = { html: '', blocks: [], checks: [], solve: [], setup: [], hints: [], solutions: [], quizzes: [], forges: [] };
  const placeholders = new Map<Tokens.Code, string | null>();
  const counters: Record<string, number> = {};
  const nextId = (kind: string) => {
    counters[kind] = (counters[kind] ?? 0) + 1;
    // "." never appears in a slug, so block ids cannot collide across steps.
    return `${prefix}.${kind}-${counters[kind]}`;
  };
  for (const b of findBlocks(section, machines, issues)) {
    placeholders.set(b.token, null);
    if (section.kind === 'finish' || !b.directive.allowedIn.includes(section.kind)) {
      const misplaced = MISPLACED[section.kind];
      issues.error(b.line, `a ${b.directive.name} block cannot be in ${misplaced.where}`, { hint: misplaced.hint });
      continue;
    }
    const ctx: BuildContext = {
      section: { kind: section.kind, title: section.title },
      out,
      machine: b.attrs.machine ?? machines[0],
      issues,
      nextId,
      place: (id) => placeholders.set(b.token, id),
    };
    b.directive.build(b, ctx);
  }
  if (out.forges.length && out.checks.length === 0 && section.kind === 'step') {
    issues.error(out.forges[0].line, `step "${section.title}" has a forge but no check`, {
      hint: 'a forge is a wrong attempt the step\'s check must reject; add a ```check block or remove the forge',
    });
  }
  out.html = renderTokens(section.tokens, placeholders);
  return out;
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

/** Reads a fence's info string against its directive's attributes; unknown words are errors with the "takes: …" hint. */
function directiveOf(token: Tokens.Code, line: number, machines: string[], issues: Issues): FoundBlock | null {
  if (token.codeBlockStyle === 'indented') return null;
  const words = (token.lang ?? '').trim().split(/\s+/).filter(Boolean);
  const directive = words[0] ? directiveNamed(words[0]) : undefined;
  if (!directive) return null;
  const keys = directive.attributes.filter((a) => !a.flag).map((a) => a.name);
  const flagNames = directive.attributes.filter((a) => a.flag).map((a) => a.name);
  const attrs: Record<string, string> = {};
  const flags = new Set<string>();
  for (const word of words.slice(1)) {
    const eq = word.indexOf('=');
    const key = eq < 0 ? word : word.slice(0, eq);
    const value = eq < 0 ? undefined : word.slice(eq + 1).replace(/^(["'])(.*)\1$/, '$2');
    if (value === undefined && flagNames.includes(key)) {
      flags.add(key);
    } else if (value !== undefined && keys.includes(key)) {
      attrs[key] = value;
    } else {
      issues.error(line, `unknown attribute "${word}" on ${article(directive.name)} ${directive.name} block`, {
        hint: takesHint(directive, nearest(key, [...keys, ...flagNames])),
      });
    }
  }
  for (const attribute of directive.attributes) {
    const value = attrs[attribute.name];
    if (value !== undefined) attribute.check?.(value, { line, directive: directive.name, machines, issues });
  }
  return { directive, token, line, attrs, flags };
}
