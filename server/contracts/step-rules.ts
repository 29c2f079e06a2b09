/**
 * The step rules, stated once for both sides: which steps need proof, which a
 * student may open, when a lab is done. The server's progress
 * (server/sessions/progress-service.ts) enforces them and the lab page
 * (client/src/logic/steps.ts) draws its locks with them, so the page never
 * offers a step the server refuses. Pure, no imports, so the browser bundle
 * and the server can both take it.
 *
 * A step is given as whether it needs proof; `completed` holds the indices of
 * the steps done.
 */

type Done = ReadonlySet<number> | readonly number[];

function isDone(completed: Done, index: number): boolean {
  return Array.isArray(completed) ? completed.includes(index) : (completed as ReadonlySet<number>).has(index);
}

/** A check to pass or a quiz to answer; a step with neither is done once the student moves past it. */
export function stepNeedsProof(hasCheck: boolean, quizCount: number): boolean {
  return hasCheck || quizCount > 0;
}

/** The first step that still needs proof; every step up to it is open (the last step when none is left). */
export function firstUnproven(needsProof: readonly boolean[], completed: Done): number {
  for (let i = 0; i < needsProof.length; i++) if (needsProof[i] && !isDone(completed, i)) return i;
  return Math.max(0, needsProof.length - 1);
}

/** A step may be opened when every earlier step that needs proof is done. */
export function mayOpen(needsProof: readonly boolean[], completed: Done, index: number): boolean {
  return index >= 0 && index < needsProof.length && index <= firstUnproven(needsProof, completed);
}

/** Every step that needs proof is done. */
export function allProven(needsProof: readonly boolean[], completed: Done): boolean {
  return needsProof.every((needs, i) => !needs || isDone(completed, i));
}

/** Steps without proof that moving from `from` to `to` leaves behind: they count as done. */
export function passedWithoutProof(needsProof: readonly boolean[], completed: Done, from: number, to: number): number[] {
  const passed: number[] = [];
  for (let i = Math.max(0, from); i < Math.min(to, needsProof.length); i++) if (!needsProof[i] && !isDone(completed, i)) passed.push(i);
  return passed;
}
