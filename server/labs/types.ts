/**
 * A lab as the loader hands it to the rest of Berth. Everything here is plain
 * data (JSON-serialisable) so it can be cached, sent to `lab test`, and
 * compared in tests. Markdown is already rendered to sanitized HTML.
 */
export type Difficulty = 'beginner' | 'intermediate' | 'advanced';

export interface FileCopy {
  /** Absolute path on the Berth host (resolved from the lab folder). */
  from: string;
  /** Absolute folder inside the machine. */
  to: string;
  /** Octal mode applied to every copied file, e.g. "0755". */
  mode?: string;
}

export interface MachineDefinition {
  /** Becomes the hostname and the DNS name on the session network. */
  name: string;
  /** `dind` (default), `shell`, or an image name the engine already has. */
  image: string;
  /** Runs a Docker engine inside (true for dind). */
  docker: boolean;
  memoryBytes?: number;
  cpus?: number;
  pids?: number;
  env: Record<string, string>;
  files: FileCopy[];
}

export interface TabDefinition {
  title: string;
  machine: string;
  port: number;
  path: string;
}

/** A script that runs inside a machine: setup, check, solve. */
export interface ScriptBlock {
  machine: string;
  script: string;
  timeoutSeconds: number;
  /** The lab gave `timeout=`. Without it, a check in class gets the server's default (BERTH_CHECK_TIMEOUT). */
  timeoutSet?: boolean;
  /** Setup only: type it into the terminal instead of running hidden. */
  visible: boolean;
  /** 1-based line of the opening fence in lab.md. */
  line: number;
}

/** A check: a script block judged by its kind (server/checks/kinds). */
export interface CheckBlock extends ScriptBlock {
  /** The check kind's name; absent means `script` (labs parsed before kinds existed). */
  kind?: string;
}

/**
 * A plausible wrong attempt at a step, run only by `berth lab test`: the
 * step's check must reject it. `undo` puts the machine back before the solve.
 */
export interface ForgeBlock extends ScriptBlock {
  /** The forge's first comment line, or "forge at line N". */
  label: string;
  undo: ScriptBlock[];
}

export interface QuizChoice {
  html: string;
  correct: boolean;
}

export interface Quiz {
  id: string;
  questionHtml: string;
  multiple: boolean;
  choices: QuizChoice[];
  explanationHtml: string;
  line: number;
}

/** Interactive pieces of a step the client draws where `<div data-berth-block="ID">` stands. */
export type ClientBlock =
  | { kind: 'run'; id: string; machine: string; command: string; mode: 'run' | 'paste' }
  | { kind: 'copy'; id: string; text: string }
  /** A file for the editor: created with `text` if missing, else opened with `lines` selected. */
  | { kind: 'edit'; id: string; machine: string; path: string; text: string; lines?: [number, number] }
  | { kind: 'quiz'; id: string };

export interface StepDefinition {
  index: number;
  /** Stable slug of the heading, unique within the lab. */
  id: string;
  title: string;
  html: string;
  blocks: ClientBlock[];
  checks: CheckBlock[];
  hintsHtml: string[];
  solutionHtml: string | null;
  solve: ScriptBlock[];
  setup: ScriptBlock[];
  quizzes: Quiz[];
  /** Wrong attempts the checks must reject; never sent to the browser. */
  forges: ForgeBlock[];
  line: number;
}

export interface LabDefinition {
  id: string;
  title: string;
  summary: string;
  difficulty: Difficulty;
  minutes: number;
  tags: string[];
  prerequisites: string[];
  /** Host features beyond plain Docker-in-Docker (e.g. `swarm-routing-mesh`). */
  requires: string[];
  next: string | null;
  machines: MachineDefinition[];
  tabs: TabDefinition[];
  /** Lab-level setup: runs once when the machines are up. */
  setup: ScriptBlock[];
  introHtml: string;
  introBlocks: ClientBlock[];
  steps: StepDefinition[];
  finish: { title: string; html: string } | null;
  source: { dir: string; file: string };
}

/** A problem found while loading or validating; `line` is 1-based in `file`. */
export interface LabIssue {
  severity: 'error' | 'warning';
  file: string;
  line?: number;
  field?: string;
  message: string;
  hint?: string;
}

/** The order labs are offered in, from `labs/course.yaml` (or every lab, by id, without one). */
export interface Course {
  title: string;
  sections: Array<{ title: string; labs: string[] }>;
}
