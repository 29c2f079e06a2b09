import type { ProgressView } from '../../../server/contracts/protocol';
import {
  allDone,
  applyCheck,
  applyProgress,
  canFinish,
  canGoNext,
  canGoPrev,
  checkOf,
  finish,
  goto,
  initLabState,
  isUnlocked,
  stepState,
} from '../../../client/src/logic/steps';

const steps = [
  { index: 0, hasCheck: true },
  { index: 1, hasCheck: false },
  { index: 2, hasCheck: true },
  { index: 3, hasCheck: true },
];

function progress(p: Partial<ProgressView> = {}): ProgressView {
  return {
    labId: 'x',
    currentStep: 0,
    completed: [],
    hintsRevealed: {},
    solutionsRevealed: [],
    quizAnswers: {},
    startedAt: 0,
    finishedAt: null,
    ...p,
  };
}

describe('step state machine', () => {
  test('a new lab starts on step 1 with later steps locked behind the first check', () => {
    const s = initLabState(steps, progress());
    expect(s.current).toBe(0);
    expect(stepState(s, 0)).toBe('current');
    expect(stepState(s, 1)).toBe('locked');
    expect(stepState(s, 3)).toBe('locked');
    expect(canGoNext(s)).toBe(false);
    expect(canGoPrev(s)).toBe(false);
  });

  test('passing a check completes the step, celebrates once and unlocks the next', () => {
    let s = initLabState(steps, progress());
    s = applyCheck(s, { step: 0, status: 'running', trigger: 'button' });
    expect(checkOf(s, 0).status).toBe('running');
    s = applyCheck(s, { step: 0, status: 'passed', trigger: 'button' });
    expect(stepState(s, 0)).toBe('current');
    expect(s.completed.has(0)).toBe(true);
    expect(checkOf(s, 0).celebrate).toBe(1);
    expect(canGoNext(s)).toBe(true);
    // step 1 has no check, so step 2 is reachable too; step 3 waits for step 2
    expect(isUnlocked(s, 1)).toBe(true);
    expect(isUnlocked(s, 2)).toBe(true);
    expect(isUnlocked(s, 3)).toBe(false);
    const again = applyCheck(s, { step: 0, status: 'passed', trigger: 'prompt' });
    expect(checkOf(again, 0).celebrate).toBe(1);
    expect(again.celebrations).toBe(1);
  });

  test('a failed check shows its feedback and keeps the next step locked', () => {
    let s = initLabState(steps, progress());
    s = applyCheck(s, { step: 0, status: 'failed', trigger: 'button', feedback: 'no container named web' });
    expect(checkOf(s, 0)).toMatchObject({ status: 'failed', feedback: 'no container named web' });
    expect(canGoNext(s)).toBe(false);
    expect(goto(s, 1)).toBe(s);
  });

  test('automatic checks do not flicker: a running prompt check keeps the last verdict', () => {
    let s = initLabState(steps, progress());
    s = applyCheck(s, { step: 0, status: 'failed', trigger: 'prompt', feedback: 'not yet' });
    const t = applyCheck(s, { step: 0, status: 'running', trigger: 'prompt' });
    expect(checkOf(t, 0).status).toBe('failed');
    const b = applyCheck(s, { step: 0, status: 'running', trigger: 'button' });
    expect(checkOf(b, 0).status).toBe('running');
  });

  test('an automatic re-check never un-ticks a passed step', () => {
    let s = initLabState(steps, progress({ completed: [0] }));
    s = applyCheck(s, { step: 0, status: 'failed', trigger: 'timer', feedback: 'container gone' });
    expect(checkOf(s, 0).status).toBe('passed');
    expect(stepState(s, 0)).toBe('current');
  });

  test('reload restores the step the server remembers and its completed checks', () => {
    const s = initLabState(steps, progress({ currentStep: 2, completed: [0] }));
    expect(s.current).toBe(2);
    expect(stepState(s, 0)).toBe('done');
    expect(stepState(s, 1)).toBe('available');
    expect(checkOf(s, 0).status).toBe('passed');
    expect(checkOf(s, 2).status).toBe('idle');
    expect(canGoPrev(s)).toBe(true);
  });

  test('an out-of-range current step from the server is clamped', () => {
    expect(initLabState(steps, progress({ currentStep: 99 })).current).toBe(3);
    expect(initLabState(steps, progress({ currentStep: -3 })).current).toBe(0);
    expect(initLabState([], null).current).toBe(0);
  });

  test('progress events complete steps (e.g. passed on another device)', () => {
    let s = initLabState(steps, progress());
    s = applyProgress(s, progress({ completed: [0, 2] }));
    expect(s.completed.has(2)).toBe(true);
    expect(checkOf(s, 2).status).toBe('passed');
    expect(s.celebrations).toBe(2);
    s = applyProgress(s, progress({ completed: [0, 2] }));
    expect(s.celebrations).toBe(2);
  });

  test('finishing needs every check passed and the last step open', () => {
    let s = initLabState(steps, progress({ currentStep: 3, completed: [0, 2] }));
    expect(canFinish(s)).toBe(false);
    expect(finish(s).finished).toBe(false);
    s = applyCheck(s, { step: 3, status: 'passed', trigger: 'prompt' });
    expect(allDone(steps, s.completed)).toBe(true);
    expect(canFinish(s)).toBe(true);
    s = finish(s);
    expect(s.finished).toBe(true);
    expect(goto(s, 1).finished).toBe(false);
  });

  test('a finished lab reopens on the finish screen', () => {
    const s = initLabState(steps, progress({ currentStep: 3, completed: [0, 2, 3], finishedAt: 5 }));
    expect(s.finished).toBe(true);
  });

  test('check results for unknown steps are ignored', () => {
    const s = initLabState(steps, progress());
    expect(applyCheck(s, { step: 9, status: 'passed', trigger: 'button' })).toBe(s);
  });
});
