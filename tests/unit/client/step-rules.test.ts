import { allProven, firstUnproven, mayOpen, passedWithoutProof, stepNeedsProof } from '../../../server/contracts/step-rules';
import { stepInfos } from '../../../client/src/logic/steps';
import type { SessionView, StepView } from '../../../server/contracts/protocol';

// check, no proof, quiz only, check
const needs = [true, false, true, true];

describe('step rules shared by the server and the lab page', () => {
  test('a quiz needs proof like a check; a step with neither does not', () => {
    expect(stepNeedsProof(true, 0)).toBe(true);
    expect(stepNeedsProof(false, 2)).toBe(true);
    expect(stepNeedsProof(false, 0)).toBe(false);
  });

  test('steps open up to the first one still needing proof', () => {
    expect(firstUnproven(needs, [])).toBe(0);
    expect(mayOpen(needs, [], 1)).toBe(false);
    expect(firstUnproven(needs, [0])).toBe(2);
    expect(mayOpen(needs, new Set([0]), 2)).toBe(true);
    expect(mayOpen(needs, new Set([0]), 3)).toBe(false);
    expect(firstUnproven(needs, [0, 2, 3])).toBe(3);
    expect(mayOpen(needs, [0, 2, 3], 4)).toBe(false);
  });

  test('a lab is proven when every step needing proof is done, whatever the others', () => {
    expect(allProven(needs, [0, 2])).toBe(false);
    expect(allProven(needs, [0, 2, 3])).toBe(true);
    expect(allProven([], [])).toBe(true);
  });

  test('moving on completes only the steps without proof left behind', () => {
    expect(passedWithoutProof(needs, [0], 0, 3)).toEqual([1]);
    expect(passedWithoutProof(needs, [0, 1], 0, 3)).toEqual([]);
    expect(passedWithoutProof([false, false], [], 0, 9)).toEqual([0, 1]);
  });

  test('the lab page counts a quiz block as proof, as the server does', () => {
    const step = (index: number, hasCheck: boolean, quiz: boolean): StepView => ({
      index,
      id: `s${index}`,
      title: `Step ${index}`,
      html: '',
      blocks: quiz ? [{ kind: 'quiz', id: `q${index}`, questionHtml: '?', multiple: false, choices: ['a', 'b'] }] : [],
      hasCheck,
      hintCount: 0,
      hasSolution: false,
    });
    const session = { lab: { steps: [step(0, true, false), step(1, false, false), step(2, false, true)] } } as unknown as SessionView;
    expect(stepInfos(session).map((s) => s.hasCheck)).toEqual([true, false, true]);
  });
});
