import type { ClassGridView, ClassSummaryStats, GridCell, GridRow } from '../contracts/classroom';
import type { ProgressView } from '../contracts/protocol';
import { activeTimesToPass } from './active-time';
import { LIVE_STATES, median, stepRecord, studentSessionState, type LabOutline, type StudentFacts } from './facts';

/**
 * The live class grid as pure functions of stored facts: the same input
 * always draws the same grid, so a snapshot and a later patch never disagree.
 */

/** The lab a student is on: the live session's lab has a current step even before any progress is saved. */
function progressFor(facts: StudentFacts, labId: string): ProgressView | null {
  const stored = facts.progress.find((p) => p.labId === labId);
  if (stored) return stored;
  if (facts.session && facts.session.labId === labId && LIVE_STATES.has(facts.session.state)) {
    return { labId, currentStep: 0, completed: [], hintsRevealed: {}, solutionsRevealed: [], quizAnswers: {}, startedAt: facts.session.createdAt, finishedAt: null };
  }
  return null;
}

export function buildCell(facts: StudentFacts, labId: string, step: number): GridCell {
  const progress = progressFor(facts, labId);
  const record = stepRecord(facts, labId, step);
  const cell: GridCell = {
    state: 'not_reached',
    attempts: record?.failedRuns ?? 0,
    hints: progress?.hintsRevealed[step] ?? 0,
    solutionViewed: progress?.solutionsRevealed.includes(step) ?? false,
  };
  if (record) cell.reachedAt = record.reachedAt;
  if (record?.firstPassedAt != null) cell.passedAt = record.firstPassedAt;
  if (!progress) return cell;
  if (progress.completed.includes(step)) {
    cell.state = record?.markedAt != null && record.firstPassedAt == null ? 'marked' : 'done';
  } else if (step === progress.currentStep) {
    if (record?.lastStatus === 'failed') {
      cell.state = 'failing';
      if (record.lastFail) cell.lastFail = record.lastFail;
    } else cell.state = 'current';
  } else if (record?.runReachedAt != null) {
    // Reached in this run but not done (the student went back): still where they were.
    // A step reached only before a reset is history, not part of the run.
    cell.state = 'current';
  }
  return cell;
}

export function buildRow(facts: StudentFacts, labs: LabOutline[]): GridRow {
  const cells: Record<string, GridCell[]> = {};
  for (const lab of labs) cells[lab.id] = lab.steps.map((s) => buildCell(facts, lab.id, s.index));
  const session = facts.session;
  const live = session !== null && LIVE_STATES.has(session.state);
  let current: GridRow['current'] = null;
  if (live) {
    const step = progressFor(facts, session.labId)?.currentStep ?? 0;
    const record = stepRecord(facts, session.labId, step);
    current = { labId: session.labId, step, since: record?.runReachedAt ?? record?.reachedAt ?? session.createdAt };
  }
  // lastCheckAt is a check the student set off: Berth's background re-runs are not activity.
  const times = [session?.lastActivityAt ?? 0, ...facts.steps.flatMap((r) => [r.runReachedAt ?? r.reachedAt, r.firstPassedAt ?? 0, r.lastCheckAt ?? 0])];
  const lastActivityAt = Math.max(...times);
  const lab = session ? labs.find((l) => l.id === session.labId) : undefined;
  return {
    studentId: facts.id,
    name: facts.name,
    admitted: facts.admitted,
    session: session
      ? {
          id: session.id,
          labId: session.labId,
          state: studentSessionState(session.state),
          machines: lab?.machines ?? [],
          terminals: live ? facts.terminals : [],
        }
      : null,
    cells,
    current,
    lastActivityAt: lastActivityAt > 0 ? lastActivityAt : null,
    finishedLabs: labs.filter((l) => facts.progress.some((p) => p.labId === l.id && p.finishedAt !== null)).map((l) => l.id),
    takeover: facts.takeover,
  };
}

/**
 * Where the student is in the lab: the step they are on, once, whether they
 * passed it and have not moved on or went back to it. A student in a lab
 * counts in that lab only; one with no lab open counts in each lab they
 * started and have not finished.
 */
function placeIn(facts: StudentFacts, labId: string): number | null {
  const live = facts.session !== null && LIVE_STATES.has(facts.session.state);
  if (live && facts.session?.labId !== labId) return null;
  const progress = progressFor(facts, labId);
  if (!progress || progress.finishedAt !== null) return null;
  return progress.currentStep;
}

export function buildSummary(rows: GridRow[], students: StudentFacts[], labs: LabOutline[]): ClassSummaryStats {
  const atStep: Record<string, number[]> = {};
  const medianStepMs: Record<string, Array<number | null>> = {};
  const records = students.flatMap((s) => s.steps);
  for (const lab of labs) {
    const counts = lab.steps.map(() => 0);
    for (const facts of students) {
      const place = placeIn(facts, lab.id);
      if (place !== null && place < counts.length) counts[place]++;
    }
    atStep[lab.id] = counts;
    medianStepMs[lab.id] = lab.steps.map((s) => median(activeTimesToPass(records, lab.id, s.index)));
  }
  const started = rows.filter((r) => r.session !== null || Object.values(r.cells).some((cells) => cells.some((c) => c.state !== 'not_reached'))).length;
  const finished = labs.length === 0 ? 0 : rows.filter((r) => labs.every((l) => r.finishedLabs.includes(l.id))).length;
  return { students: rows.length, started, finished, atStep, medianStepMs };
}

export function buildGrid(classId: string, students: StudentFacts[], labs: LabOutline[], at: number): ClassGridView {
  const rows = students.map((s) => buildRow(s, labs));
  return {
    classId,
    labs: labs.map((l) => ({ id: l.id, title: l.title, steps: l.steps.map((s) => ({ index: s.index, title: s.title, checked: s.checked })) })),
    rows,
    summary: buildSummary(rows, students, labs),
    at,
  };
}
