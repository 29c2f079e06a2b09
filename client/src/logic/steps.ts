/**
 * The student's place in a lab: which steps are done, which one is current,
 * which are still locked, and what each step's check is doing. Pure functions
 * over the server's ProgressView and the live `check:result` events. Which
 * steps are open and when a lab is done are the server's rules, from
 * server/contracts/step-rules.ts; this module adds only what the page shows.
 */
import type { CheckResultEvent, CheckStatus, ProgressView, SessionView } from '../../../server/contracts/protocol';
import { allProven, mayOpen, stepNeedsProof } from '../../../server/contracts/step-rules';

export interface StepInfo {
  index: number;
  /** The step needs proof (a check to pass or a quiz to answer) before it counts as done. */
  hasCheck: boolean;
}

/** What the step rules need of each step of the session's lab. */
export function stepInfos(session: Pick<SessionView, 'lab'>): StepInfo[] {
  return session.lab.steps.map((s) => ({ index: s.index, hasCheck: stepNeedsProof(s.hasCheck, s.blocks.filter((b) => b.kind === 'quiz').length) }));
}

function needsProof(steps: StepInfo[]): boolean[] {
  return steps.map((s) => s.hasCheck);
}

export type StepState = 'done' | 'current' | 'available' | 'locked';

export interface CheckView {
  status: CheckStatus;
  feedback?: string;
  trigger?: CheckResultEvent['trigger'];
  /** Bumped when the step passes for the first time: the UI celebrates. */
  celebrate?: number;
}

export interface LabState {
  steps: StepInfo[];
  completed: Set<number>;
  /** The step the student is looking at. */
  current: number;
  checks: Record<number, CheckView>;
  /** Show the finish screen. */
  finished: boolean;
  celebrations: number;
}

export function initLabState(steps: StepInfo[], progress: ProgressView | null | undefined): LabState {
  const completed = new Set<number>(progress?.completed ?? []);
  const current = clampStep(steps, progress?.currentStep ?? 0);
  const checks: Record<number, CheckView> = {};
  for (const i of completed) checks[i] = { status: 'passed' };
  return {
    steps,
    completed,
    current,
    checks,
    finished: Boolean(progress?.finishedAt) && allDone(steps, completed),
    celebrations: 0,
  };
}

function clampStep(steps: StepInfo[], i: number): number {
  if (steps.length === 0) return 0;
  if (!Number.isFinite(i)) return 0;
  return Math.min(Math.max(0, Math.floor(i)), steps.length - 1);
}

/** Every step that has a check has passed. */
export function allDone(steps: StepInfo[], completed: Set<number>): boolean {
  return allProven(needsProof(steps), completed);
}

/** A step is reachable when every earlier step with a check has passed (or the student is already past it). */
export function isUnlocked(state: LabState, index: number): boolean {
  if (index < 0 || index >= state.steps.length) return false;
  return index <= state.current || mayOpen(needsProof(state.steps), state.completed, index);
}

export function stepState(state: LabState, index: number): StepState {
  if (index === state.current) return 'current';
  if (state.completed.has(index)) return 'done';
  return isUnlocked(state, index) ? 'available' : 'locked';
}

export function canGoNext(state: LabState): boolean {
  const step = state.steps[state.current];
  if (!step) return false;
  if (step.hasCheck && !state.completed.has(step.index)) return false;
  return state.current + 1 < state.steps.length ? isUnlocked(state, state.current + 1) : false;
}

export function canGoPrev(state: LabState): boolean {
  return state.current > 0;
}

/** On the last step with every check passed, the student may finish. */
export function canFinish(state: LabState): boolean {
  return state.current === state.steps.length - 1 && allDone(state.steps, state.completed);
}

export function goto(state: LabState, index: number): LabState {
  if (!isUnlocked(state, index)) return state;
  return { ...state, current: index, finished: false };
}

export function finish(state: LabState): LabState {
  if (!allDone(state.steps, state.completed)) return state;
  return { ...state, finished: true };
}

/** A `check:result` event arrived. */
export function applyCheck(state: LabState, ev: Pick<CheckResultEvent, 'step' | 'status' | 'feedback' | 'trigger'>): LabState {
  if (ev.step < 0 || ev.step >= state.steps.length) return state;
  const prev = state.checks[ev.step];
  const wasDone = state.completed.has(ev.step);
  // A passed step stays passed: a later automatic re-check must not un-tick it.
  if (wasDone && ev.status !== 'passed' && ev.trigger !== 'button') return state;
  const view: CheckView = { status: ev.status, feedback: ev.feedback, trigger: ev.trigger };
  let completed = state.completed;
  let celebrations = state.celebrations;
  if (ev.status === 'passed' && !wasDone) {
    completed = new Set(completed);
    completed.add(ev.step);
    celebrations += 1;
    view.celebrate = celebrations;
  } else if (ev.status === 'passed') {
    view.celebrate = prev?.celebrate;
  } else if (ev.status === 'running' && ev.trigger !== 'button' && prev && prev.status !== 'idle') {
    // Automatic checks run often; keep showing the last verdict meanwhile.
    return state;
  }
  return { ...state, completed, celebrations, checks: { ...state.checks, [ev.step]: view } };
}

/** A `progress` event arrived: the server's word on what is done. */
export function applyProgress(state: LabState, progress: ProgressView): LabState {
  const completed = new Set<number>(state.completed);
  let celebrations = state.celebrations;
  const checks = { ...state.checks };
  for (const i of progress.completed) {
    if (!completed.has(i) && i >= 0 && i < state.steps.length) {
      completed.add(i);
      celebrations += 1;
      checks[i] = { status: 'passed', celebrate: celebrations };
    }
  }
  return { ...state, completed, checks, celebrations };
}

export function checkOf(state: LabState, index: number): CheckView {
  return state.checks[index] ?? { status: state.completed.has(index) ? 'passed' : 'idle' };
}
