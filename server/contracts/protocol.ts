import { z } from 'zod';
import type { TerminalData } from './terminal-data';

/**
 * The typed socket.io and REST contract shared by server and client. Every
 * payload a browser may send is a zod schema here, checked by the server
 * before it reaches the domain (server/realtime/*-events.ts), and its type is
 * derived from the schema (z.infer): one definition, no drift. The client
 * imports this file for types only, so zod stays out of its bundle.
 */

/* ---- Client → server payloads: ids are shaped like the ones Berth hands out, so nothing odd reaches a container name or a shell. ---- */

const sessionId = z.string().regex(/^[a-z0-9]{12}$/);
const terminalId = z.string().regex(/^[a-z][a-z0-9-]{0,30}(?::\d{1,2})?$/);
const machine = z.string().regex(/^[a-z][a-z0-9-]{0,30}$/);
const cols = z.number().int().min(10).max(500);
const rows = z.number().int().min(4).max(200);
const step = z.number().int().min(0).max(1000);
const terminal = { sessionId, terminalId };
/** The id and size shapes, for the instructor's socket (server/realtime/instructor-socket.ts) to check the same way. */
export const wireShapes = { sessionId, terminalId, machine, cols, rows };

export const inbound = {
  'session:watch': z.strictObject({ sessionId }),
  /** `from`: sequence (byte offset) of the next byte the client has not seen; 0 for a fresh terminal. */
  'terminal:attach': z.strictObject({ ...terminal, machine, from: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER), cols, rows }),
  // The real limit is BERTH_MAX_MESSAGE, in bytes, checked by the handler; socket.io's maxHttpBufferSize drops anything far larger unparsed.
  'terminal:input': z.strictObject({ ...terminal, data: z.string().min(1).max(256 * 1024 * 1024) }),
  'terminal:resize': z.strictObject({ ...terminal, cols, rows }),
  'terminal:ack': z.strictObject({ ...terminal, bytes: z.number().int().min(1).max(1 << 30) }),
  'terminal:detach': z.strictObject(terminal),
  'terminal:close': z.strictObject(terminal),
  'check:run': z.strictObject({ sessionId, step }),
  'step:goto': z.strictObject({ sessionId, step }),
  'hint:reveal': z.strictObject({ sessionId, step }),
  'solution:reveal': z.strictObject({ sessionId, step }),
  'quiz:answer': z.strictObject({ sessionId, step, quizId: z.string().min(1).max(100), choices: z.array(z.number().int().min(0).max(50)).max(50) }),
  // Its type is StudentClassroomRequests['takeover:end'] in classroom.ts (the classroom's additions to the student socket).
  'takeover:end': z.strictObject(terminal),
} as const;

export type InboundEvent = keyof typeof inbound;
/** The payload of a client event, as its schema accepts it. */
export type Inbound<E extends InboundEvent> = z.infer<(typeof inbound)[E]>;

export type TerminalRequest = Inbound<'terminal:detach'>;
export type AttachRequest = Inbound<'terminal:attach'>;
export type StepRef = Inbound<'step:goto'>;
export type QuizAnswer = Inbound<'quiz:answer'>;

/** What a refused request is answered; `code` says what kind of refusal (server/public-error.ts, PublicCode). */
export interface Refused {
  ok: false;
  error: string;
  code?: string;
}

/** The plain answer: done, or refused. */
export interface Reply {
  ok: boolean;
  error?: string;
  code?: string;
}

export type SessionState = 'queued' | 'starting' | 'running' | 'paused' | 'resuming' | 'stopping' | 'ended' | 'failed';

export interface AttachReply extends Reply {
  /** True when this viewer may type. Others only watch. */
  owner?: boolean;
}

export interface QuizReply extends Reply {
  correct?: boolean;
  correctChoices?: number[];
  explanationHtml?: string;
}

export interface RevealReply extends Reply {
  html?: string;
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
  /** Output bytes; a short all-ASCII chunk comes as a string of one character per byte (terminal-data.ts). */
  data: TerminalData;
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
  'session:watch': (req: Inbound<'session:watch'>, reply: (r: Reply) => void) => void;
  'terminal:attach': (req: AttachRequest, reply: (r: AttachReply) => void) => void;
  /** No reply needed; one asked for reports a refused message (larger than BERTH_MAX_MESSAGE). */
  'terminal:input': (req: Inbound<'terminal:input'>, reply?: (r: Reply) => void) => void;
  'terminal:resize': (req: Inbound<'terminal:resize'>) => void;
  /** Bytes the client's xterm has finished drawing (from term.write's callback). */
  'terminal:ack': (req: Inbound<'terminal:ack'>) => void;
  'terminal:detach': (req: TerminalRequest) => void;
  /** Closes the terminal for good: its shell is ended inside the machine. */
  'terminal:close': (req: TerminalRequest) => void;
  'check:run': (req: StepRef, reply: (r: Reply) => void) => void;
  'step:goto': (req: StepRef, reply: (r: Reply) => void) => void;
  'hint:reveal': (req: StepRef, reply: (r: RevealReply) => void) => void;
  'solution:reveal': (req: StepRef, reply: (r: RevealReply) => void) => void;
  'quiz:answer': (req: QuizAnswer, reply: (r: QuizReply) => void) => void;
}

/**
 * Every schema'd event but the classroom's own has its type above, with the
 * schema's payload (a compile error otherwise): the two cannot drift apart.
 */
type Typed = { [E in Exclude<InboundEvent, 'takeover:end'>]: (req: Inbound<E>, ...reply: never[]) => void };
const _covered: Typed = {} as ClientToServerEvents;
void _covered;

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
