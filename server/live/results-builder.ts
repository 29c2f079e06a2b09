import { RESULT_LAB_COLUMNS, RESULT_STEP_COLUMNS, type ResultsView } from '../contracts/classroom';
import { stepRecord, type LabOutline, type StudentFacts } from './facts';
import { buildCell } from './grid-builder';

type StepResult = ResultsView['steps'][number];
type LabResult = ResultsView['labs'][number];

/** ISO 8601 in UTC to the second (`2026-11-29T08:33:15Z`): what spreadsheets and people both read. */
export function isoUtc(ms: number | null | undefined): string | null {
  if (ms === null || ms === undefined) return null;
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

const STATUS = { done: 'passed', marked: 'marked', current: 'current', failing: 'failing', not_reached: 'not_reached' } as const;

/**
 * Seconds spent on a step: from reaching it to passing it (or to the
 * instructor's mark, or to `now` while still on it); null if never reached.
 */
export function timeOnStep(facts: StudentFacts, labId: string, step: number, now: number): number | null {
  const record = stepRecord(facts, labId, step);
  if (!record) return null;
  const end = record.firstPassedAt ?? record.markedAt ?? now;
  return Math.max(0, Math.round((end - record.reachedAt) / 1000));
}

/** One row per student × lab × step, in RESULT_STEP_COLUMNS. Choice numbers are 1-based, as the page shows them. */
export function stepResults(students: StudentFacts[], labs: LabOutline[], now: number): StepResult[] {
  const rows: StepResult[] = [];
  for (const facts of students) {
    for (const lab of labs) {
      const progress = facts.progress.find((p) => p.labId === lab.id);
      for (const step of lab.steps) {
        const cell = buildCell(facts, lab.id, step.index);
        const record = stepRecord(facts, lab.id, step.index);
        const answers = step.quizIds.flatMap((id) => {
          const a = progress?.quizAnswers[id];
          return a ? [{ id, ...a }] : [];
        });
        const row: StepResult = {
          student: facts.name,
          student_id: facts.id,
          lab: lab.id,
          step: step.index + 1,
          step_title: step.title,
          status: STATUS[cell.state],
          first_passed_at: isoUtc(record?.firstPassedAt),
          attempts: cell.attempts,
          hints_revealed: cell.hints,
          solution_viewed: cell.solutionViewed,
          quiz_answers: answers.map((a) => `${a.id}=${a.choices.map((c) => c + 1).join(',')}:${a.correct}`).join(';'),
          quiz_correct: answers.filter((a) => a.correct).length,
          time_on_step_s: timeOnStep(facts, lab.id, step.index, now),
          marked_by: cell.state === 'marked' ? (record?.markedByName ?? null) : null,
          marked_reason: cell.state === 'marked' ? (record?.markedReason ?? null) : null,
        };
        rows.push(row);
      }
    }
  }
  return rows;
}

/** One row per student × lab, in RESULT_LAB_COLUMNS. */
export function labResults(students: StudentFacts[], labs: LabOutline[], now: number): LabResult[] {
  const rows: LabResult[] = [];
  for (const facts of students) {
    for (const lab of labs) {
      const progress = facts.progress.find((p) => p.labId === lab.id);
      const total = lab.steps.length;
      const done = lab.steps.filter((s) => progress?.completed.includes(s.index)).length;
      const times = lab.steps.map((s) => timeOnStep(facts, lab.id, s.index, now)).filter((t): t is number => t !== null);
      rows.push({
        student: facts.name,
        student_id: facts.id,
        lab: lab.id,
        percent_complete: total === 0 ? 0 : Math.floor((100 * done) / total),
        steps_done: done,
        steps_total: total,
        started_at: isoUtc(progress?.startedAt),
        finished_at: isoUtc(progress?.finishedAt),
        active_time_s: times.reduce((a, b) => a + b, 0),
      });
    }
  }
  return rows;
}

export function buildResults(classId: string, className: string, students: StudentFacts[], labs: LabOutline[], now: number): ResultsView {
  return { classId, className, generatedAt: now, steps: stepResults(students, labs, now), labs: labResults(students, labs, now) };
}

export { RESULT_LAB_COLUMNS, RESULT_STEP_COLUMNS };
