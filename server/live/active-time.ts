import type { StepRecord, StepStore } from './step-store';

/**
 * A gap between two moments of the student's activity longer than this is
 * time away (a break, another window, a lab left open overnight): it counts
 * nothing. Shorter gaps count in full, so reading the instructions between two
 * commands is time on the step.
 */
export const ACTIVE_GAP_MS = 5 * 60_000;

interface Mark {
  studentId: string;
  labId: string;
  step: number;
  at: number;
}

/**
 * Active time on a step, from moments of activity (typing, a try, moving
 * between steps): each gap of at most ACTIVE_GAP_MS between two moments in a
 * running lab goes to the step the student was on at the first. A pause or
 * the end of the lab closes the run of moments, so paused, ended and idle
 * time never count, and a step left unfinished stops growing.
 */
export class ActiveTime {
  private readonly last = new Map<string, Mark>();

  constructor(
    private readonly steps: Pick<StepStore, 'addActive'>,
    private readonly gapMs = ACTIVE_GAP_MS,
  ) {}

  /** The student did something in this session while on `step`. */
  moment(sessionId: string, studentId: string, labId: string, step: number, at: number): void {
    const prev = this.last.get(sessionId);
    if (prev && prev.labId === labId) {
      const gap = at - prev.at;
      if (gap > 0 && gap <= this.gapMs) this.steps.addActive(prev.studentId, prev.labId, prev.step, gap);
    }
    this.last.set(sessionId, { studentId, labId, step, at: Math.max(at, prev?.at ?? at) });
  }

  /** The lab stopped running (paused, ended, failed): the next moment starts a new run. */
  stop(sessionId: string): void {
    this.last.delete(sessionId);
  }
}

/**
 * The active time each student spent on a step they passed by a check, in ms:
 * the figures behind the class summary's median and the analytics' box plot.
 * They are the same active time as the results' time_on_step_s, so every time
 * an instructor sees means the same thing; wall time from reaching a step to
 * passing it would count breaks, pauses and a lab left open overnight. Steps
 * only marked by the instructor are not passes and are left out.
 */
export function activeTimesToPass(records: StepRecord[], labId: string, step: number): number[] {
  return records.filter((r) => r.labId === labId && r.step === step && r.firstPassedAt !== null).map((r) => r.activeMs);
}
