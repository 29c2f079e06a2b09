import type { Tokens } from 'marked';
import type { Issues } from '../issues';
import type { CheckBlock, ClientBlock, ForgeBlock, Quiz, ScriptBlock } from '../types';

/**
 * What a directive is: the word that opens a fenced block in lab.md
 * (```check, ```run …), the attributes it takes, the sections it may stand in
 * and how it adds itself to the lab. One file per directive in this folder,
 * listed in index.ts; the parser, the "takes: …" hint and the tables in
 * docs/lab-format.md all read them from there.
 */

export type Place = 'intro' | 'step' | 'finish';

export interface AttributeSite {
  line: number;
  directive: string;
  machines: string[];
  issues: Issues;
}

export interface Attribute {
  name: string;
  /** A bare word (`visible`) rather than `key=VALUE`. */
  flag?: boolean;
  /** Stands for the value in hints and docs: `machine=NAME`. */
  placeholder?: string;
  /** Shown without brackets in the docs (the directive reports it missing itself). */
  required?: boolean;
  /** One sentence for the docs' attribute table. */
  meaning: string;
  /** Checks a value where the fence is; runs for every block that gives the attribute. */
  check?(value: string, site: AttributeSite): void;
}

/** A directive fence found in a section, its attributes read and checked. */
export interface FoundBlock {
  directive: Directive;
  token: Tokens.Code;
  /** Line of the opening fence in lab.md. */
  line: number;
  attrs: Record<string, string>;
  flags: Set<string>;
}

/** What a section of lab.md (the introduction or a step) turns into. */
export interface BuiltSection {
  html: string;
  blocks: ClientBlock[];
  checks: CheckBlock[];
  solve: ScriptBlock[];
  setup: ScriptBlock[];
  hints: string[];
  /** Solution blocks' Markdown, joined into one solution once the section is read. */
  solutions: string[];
  quizzes: Quiz[];
  forges: ForgeBlock[];
}

export interface BuildContext {
  section: { kind: Place; title: string };
  out: BuiltSection;
  /** `machine=`, or the lab's first machine. */
  machine: string;
  issues: Issues;
  /** A block id unique in the lab: "<step>.<kind>-<n>". */
  nextId(kind: string): string;
  /** The client draws block `id` where this fence stood (without it, the fence vanishes from the page). */
  place(id: string): void;
}

export interface Directive {
  name: string;
  /** The docs' "what it is", one cell of Markdown. */
  summary: string;
  attributes: Attribute[];
  /** Sections it may stand in; anywhere else is an error. The finish section holds only Markdown, so no directive may stand there. */
  allowedIn: Array<Exclude<Place, 'finish'>>;
  /** Said beside "yes" in the docs' table of where blocks may stand, e.g. intro: 'lab-level'. */
  placeNotes?: Partial<Record<Place, string>>;
  /** Seconds a script block may run without `timeout=`. */
  defaultTimeout?: number;
  /** A sentence for the docs when the default is not the whole story. */
  defaultTimeoutNote?: string;
  build(block: FoundBlock, ctx: BuildContext): void;
}
