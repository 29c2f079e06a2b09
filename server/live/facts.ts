import type { StudentSessionState } from '../contracts/classroom';
import type { ProgressView, SessionState } from '../contracts/protocol';
import type { LabDefinition } from '../labs/types';
import type { StepRecord } from './step-store';

/** The parts of a lab the live view and results show: no scripts, no HTML. */
export interface LabOutline {
  id: string;
  title: string;
  steps: Array<{ index: number; title: string; checked: boolean; quizIds: string[] }>;
  machines: string[];
}

export function labOutline(lab: LabDefinition): LabOutline {
  return {
    id: lab.id,
    title: lab.title,
    steps: lab.steps.map((s) => ({ index: s.index, title: s.title, checked: s.checks.length > 0, quizIds: s.quizzes.map((q) => q.id) })),
    machines: lab.machines.map((m) => m.name),
  };
}

/** Everything known about one student, gathered once; the builders are pure functions of it. */
export interface StudentFacts {
  id: string;
  name: string;
  admitted: boolean;
  /** The live session, else the latest one (ended or failed). */
  session: { id: string; labId: string; state: SessionState; createdAt: number; lastActivityAt: number } | null;
  /** Terminals of the session the instructor can watch: each machine's first, then extra ones the student opened ("machine:2"). */
  terminals: string[];
  /** Stored progress rows only: a lab without one was never worked on. */
  progress: ProgressView[];
  steps: StepRecord[];
  takeover: boolean;
}

/** The grid shows the student's lifecycle in fewer words than the session manager uses. */
export function studentSessionState(state: SessionState): StudentSessionState {
  switch (state) {
    case 'resuming':
      return 'starting';
    case 'stopping':
      return 'ended';
    default:
      return state;
  }
}

export const LIVE_STATES: ReadonlySet<SessionState> = new Set(['queued', 'starting', 'running', 'paused', 'resuming']);

export function stepRecord(facts: StudentFacts, labId: string, step: number): StepRecord | undefined {
  return facts.steps.find((r) => r.labId === labId && r.step === step);
}

/** Median of the values (mean of the middle two for an even count); null for none. */
export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
