/**
 * The typed socket.io and REST contract shared by server and client. Plain
 * types only: the client bundles this file, the server validates every
 * inbound payload against schemas in server/realtime/inbound.ts.
 */

export type SessionState = 'queued' | 'starting' | 'running' | 'paused' | 'resuming' | 'stopping' | 'ended' | 'failed';

export interface TerminalRef {
  sessionId: string;
  machine: string;
  /** Several terminals per machine: "node1", "node1:2", ... */
  terminalId: string;
}

export interface AttachRequest extends TerminalRef {
  /** Sequence (byte offset) of the next byte the client has not seen; 0 for a fresh terminal. */
  from: number;
  cols: number;
  rows: number;
}

export interface AttachReply {
  ok: boolean;
  error?: string;
  /** True when this viewer may type. Others only watch. */
  owner?: boolean;
}

export interface StepRef {
  sessionId: string;
  step: number;
}

export interface QuizAnswer extends StepRef {
  quizId: string;
  choices: number[];
}

export interface QuizReply {
  ok: boolean;
  correct?: boolean;
  correctChoices?: number[];
  explanationHtml?: string;
  error?: string;
}

export interface RevealReply {
  ok: boolean;
  html?: string;
  error?: string;
}

export type CheckStatus = 'idle' | 'running' | 'passed' | 'failed';

export interface CheckResultEvent {
  sessionId: string;
  step: number;
  status: CheckStatus;
  feedback?: string;
  durationMs?: number;
  trigger: 'button' | 'prompt' | 'timer' | 'test';
}

export interface ProgressView {
  labId: string;
  currentStep: number;
  completed: number[];
  hintsRevealed: Record<number, number>;
  solutionsRevealed: number[];
  /** `attempts`: answers given so far (absent in progress saved before it was counted). */
  quizAnswers: Record<string, { choices: number[]; correct: boolean; attempts?: number }>;
  startedAt: number;
  finishedAt: number | null;
}

export interface SessionStatusEvent {
  sessionId: string;
  state: SessionState;
  /** 1-based place in the queue while `queued`. */
  queuePosition?: number;
  /** What is happening now, in words a student understands. */
  detail?: string;
  expiresAt?: number;
  idleAt?: number;
  error?: string;
}

export interface TerminalDataEvent {
  terminalId: string;
  sessionId: string;
  /** Sequence of the first byte in `data`. */
  seq: number;
  data: ArrayBuffer | Uint8Array;
}

export interface TerminalResetEvent {
  terminalId: string;
  sessionId: string;
  /** The earlier output is gone from the server's scrollback; clear and continue from here. */
  seq: number;
}

/** The lab's machines are near (or past: the lab was paused) their disk budget. */
export interface DiskWarningEvent {
  sessionId: string;
  usedBytes: number;
  budgetBytes: number;
  paused: boolean;
  /** What to tell the student, ready to show. */
  message: string;
}

export interface ServerToClientEvents {
  'session:disk': (event: DiskWarningEvent) => void;
  'terminal:data': (event: TerminalDataEvent) => void;
  'terminal:reset': (event: TerminalResetEvent) => void;
  'terminal:exit': (event: { sessionId: string; terminalId: string; reason: string }) => void;
  /**
   * The shell is not taking input as fast as this client sends it: hold back while `slow`, go on
   * when a later event says false. `dropped` counts input bytes thrown away meanwhile.
   */
  'terminal:slow': (event: { sessionId: string; terminalId: string; slow: boolean; dropped: number }) => void;
  'session:status': (event: SessionStatusEvent) => void;
  'check:result': (event: CheckResultEvent) => void;
  progress: (event: { sessionId: string; progress: ProgressView }) => void;
  /** A command returned to the prompt in that machine: files may have changed (the editor's tree refreshes). */
  'files:changed': (event: { sessionId: string; machine: string }) => void;
}

export interface ClientToServerEvents {
  'session:watch': (req: { sessionId: string }, reply: (r: { ok: boolean; error?: string }) => void) => void;
  'terminal:attach': (req: AttachRequest, reply: (r: AttachReply) => void) => void;
  /** No reply needed; one asked for reports a refused message (larger than BERTH_MAX_MESSAGE). */
  'terminal:input': (req: { sessionId: string; terminalId: string; data: string }, reply?: (r: { ok: boolean; error?: string }) => void) => void;
  'terminal:resize': (req: { sessionId: string; terminalId: string; cols: number; rows: number }) => void;
  /** Bytes the client's xterm has finished drawing (from term.write's callback). */
  'terminal:ack': (req: { sessionId: string; terminalId: string; bytes: number }) => void;
  'terminal:detach': (req: { sessionId: string; terminalId: string }) => void;
  /** Closes the terminal for good: its shell is ended inside the machine. */
  'terminal:close': (req: { sessionId: string; terminalId: string }) => void;
  'check:run': (req: StepRef, reply: (r: { ok: boolean; error?: string }) => void) => void;
  'step:goto': (req: StepRef, reply: (r: { ok: boolean; error?: string }) => void) => void;
  'hint:reveal': (req: StepRef, reply: (r: RevealReply) => void) => void;
  'solution:reveal': (req: StepRef, reply: (r: RevealReply) => void) => void;
  'quiz:answer': (req: QuizAnswer, reply: (r: QuizReply) => void) => void;
}

/* ---- REST views ---- */

export interface StudentView {
  id: string;
  name: string;
}

export interface LabSummaryView {
  id: string;
  title: string;
  summary: string;
  difficulty: string;
  minutes: number;
  tags: string[];
  prerequisites: string[];
  section: string | null;
  order: number;
  stepCount: number;
  completedSteps: number;
  finished: boolean;
  activeSessionId: string | null;
}

export type ViewBlock =
  | { kind: 'run'; id: string; machine: string; command: string; mode: 'run' | 'paste' }
  | { kind: 'copy'; id: string; text: string }
  | { kind: 'edit'; id: string; machine: string; path: string; text: string; lines?: [number, number] }
  | {
      kind: 'quiz';
      id: string;
      questionHtml: string;
      multiple: boolean;
      choices: string[];
    };

export interface StepView {
  index: number;
  id: string;
  title: string;
  html: string;
  blocks: ViewBlock[];
  hasCheck: boolean;
  hintCount: number;
  hasSolution: boolean;
}

export interface SessionView {
  id: string;
  labId: string;
  state: SessionState;
  queuePosition?: number;
  detail?: string;
  error?: string;
  expiresAt: number;
  extensionsLeft: number;
  machines: string[];
  tabs: Array<{ title: string; machine: string; port: number; url: string }>;
  lab: {
    id: string;
    title: string;
    summary: string;
    introHtml: string;
    introBlocks: ViewBlock[];
    steps: StepView[];
    finish: { title: string; html: string } | null;
    next: { id: string; title: string } | null;
  };
  progress: ProgressView;
}
