import { RESULT_LAB_COLUMNS, RESULT_STEP_COLUMNS, type ResultsView } from '../contracts/classroom';
import { stepRecord, type LabOutline, type StudentFacts } from './facts';
import { buildCell } from './grid-builder';

type StepResult = ResultsView['steps'][number];
type LabResult = ResultsView['labs'][number];

/**
 * A date and time in UTC to the second, `2026-11-29 08:33:15`: Excel,
 * LibreOffice and Google Sheets all read this form as a date, where ISO's
 * `T…Z` form stays text.
 */
export function sheetUtc(ms: number | null | undefined): string | null {
  if (ms === null || ms === undefined) return null;
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

const STATUS = { done: 'passed', marked: 'marked', current: 'current', failing: 'failing', not_reached: 'not_reached' } as const;

/**
 * Seconds the student was active on a step before passing it (or before the
 * instructor's mark): server/live/active-time.ts. Paused, ended and idle time
 * do not count, so an unfinished step stops growing when the lab ends; null
 * if never reached.
 */
export function timeOnStep(facts: StudentFacts, labId: string, step: number): number | null {
  const record = stepRecord(facts, labId, step);
  if (!record) return null;
  return Math.round(record.activeMs / 1000);
}

/**
 * A step's result: passed or marked once stays so, a reset of the lab
 * notwithstanding (the reset restarts the live run, not the results).
 */
function resultStatus(facts: StudentFacts, labId: string, step: number): StepResult['status'] {
  const record = stepRecord(facts, labId, step);
  if (record?.firstPassedAt != null) return 'passed';
  if (record?.markedAt != null) return 'marked';
  return STATUS[buildCell(facts, labId, step).state];
}

/** One row per student × lab × step, in RESULT_STEP_COLUMNS. Choice numbers are 1-based, as the page shows them. */
export function stepResults(students: StudentFacts[], labs: LabOutline[]): StepResult[] {
  const rows: StepResult[] = [];
  for (const facts of students) {
    for (const lab of labs) {
      const progress = facts.progress.find((p) => p.labId === lab.id);
      for (const step of lab.steps) {
        const cell = buildCell(facts, lab.id, step.index);
        const status = resultStatus(facts, lab.id, step.index);
        const record = stepRecord(facts, lab.id, step.index);
        // A reset empties progress; the answers and hints kept with the step history stay.
        const answers = step.quizIds.flatMap((id) => {
          const a = progress?.quizAnswers[id] ?? record?.quizAnswers[id];
          return a ? [{ id, ...a }] : [];
        });
        const row: StepResult = {
          student: facts.name,
          student_id: facts.id,
          lab: lab.id,
          step: step.index + 1,
          step_title: step.title,
          status,
          first_passed_at: sheetUtc(record?.firstPassedAt),
          attempts: cell.attempts,
          hints_revealed: Math.max(cell.hints, record?.hintsSeen ?? 0),
          solution_viewed: cell.solutionViewed,
          quiz_answers: answers.map((a) => `${a.id}=${a.choices.map((c) => c + 1).join(',')}:${a.correct}`).join(';'),
          quiz_correct: answers.filter((a) => a.correct).length,
          time_on_step_s: timeOnStep(facts, lab.id, step.index),
          marked_by: status === 'marked' ? (record?.markedByName ?? null) : null,
          marked_reason: status === 'marked' ? (record?.markedReason ?? null) : null,
        };
        rows.push(row);
      }
    }
  }
  return rows;
}

/** One row per student × lab, in RESULT_LAB_COLUMNS; like the step rows, a reset does not undo a pass. */
export function labResults(students: StudentFacts[], labs: LabOutline[]): LabResult[] {
  const rows: LabResult[] = [];
  for (const facts of students) {
    for (const lab of labs) {
      const progress = facts.progress.find((p) => p.labId === lab.id);
      const records = facts.steps.filter((r) => r.labId === lab.id);
      const total = lab.steps.length;
      const doneAt = lab.steps.map((s) => {
        const r = records.find((x) => x.step === s.index);
        const at = r?.firstPassedAt ?? r?.markedAt ?? null;
        return at ?? (progress?.completed.includes(s.index) ? (progress.finishedAt ?? progress.startedAt) : null);
      });
      const done = doneAt.filter((at) => at !== null).length;
      const finishedAt = progress?.finishedAt ?? (total > 0 && done === total ? Math.max(...(doneAt as number[])) : null);
      const started = [progress?.startedAt, ...records.map((r) => r.reachedAt)].filter((t): t is number => typeof t === 'number');
      const times = lab.steps.map((s) => timeOnStep(facts, lab.id, s.index)).filter((t): t is number => t !== null);
      rows.push({
        student: facts.name,
        student_id: facts.id,
        lab: lab.id,
        percent_complete: total === 0 ? 0 : Math.floor((100 * done) / total),
        steps_done: done,
        steps_total: total,
        started_at: sheetUtc(started.length > 0 ? Math.min(...started) : null),
        finished_at: sheetUtc(finishedAt),
        active_time_s: times.reduce((a, b) => a + b, 0),
      });
    }
  }
  return rows;
}

export function buildResults(classId: string, className: string, students: StudentFacts[], labs: LabOutline[], now: number): ResultsView {
  return { classId, className, generatedAt: now, steps: stepResults(students, labs), labs: labResults(students, labs) };
}

export { RESULT_LAB_COLUMNS, RESULT_STEP_COLUMNS };
