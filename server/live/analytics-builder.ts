import type { ClassAnalyticsView } from '../contracts/classroom';
import type { LabOutline } from './facts';
import { activeTimesToPass } from './active-time';
import type { FailedRun, StepRecord } from './step-store';

type Spread = NonNullable<ClassAnalyticsView['labs'][number]['steps'][number]['timeMs']>;

/** The value at fraction p of the sorted values, interpolating between neighbours (R's type 7, Excel's QUARTILE.INC). */
export function quantile(sorted: number[], p: number): number {
  if (sorted.length === 0) throw new Error('quantile of nothing');
  const pos = (sorted.length - 1) * p;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function spread(values: number[]): Spread | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return { min: s[0], q1: quantile(s, 0.25), median: quantile(s, 0.5), q3: quantile(s, 0.75), max: s[s.length - 1] };
}

/** The most common failure lines, most frequent first (ties: alphabetical, so the list is stable). */
export function topFails(feedback: Array<string | null>, limit = 5): Array<{ line: string; count: number }> {
  const counts = new Map<string, number>();
  for (const f of feedback) {
    const line = f?.trim();
    if (line) counts.set(line, (counts.get(line) ?? 0) + 1);
  }
  return [...counts.entries()]
    .map(([line, count]) => ({ line, count }))
    .sort((a, b) => b.count - a.count || a.line.localeCompare(b.line))
    .slice(0, limit);
}

/**
 * Per lab and step: active time to pass (quartiles; active-time.ts, the same
 * time as the results' time_on_step_s), the funnel (reached, passed) and the
 * checks that fail most with their lines. Failed runs come from every check
 * run the class made, reset labs included: a teacher fixing a step wants them all.
 */
export function buildAnalytics(labs: LabOutline[], records: StepRecord[], failed: FailedRun[]): ClassAnalyticsView {
  return {
    labs: labs.map((lab) => ({
      id: lab.id,
      title: lab.title,
      steps: lab.steps.map((s) => {
        const here = records.filter((r) => r.labId === lab.id && r.step === s.index);
        const runs = failed.filter((f) => f.labId === lab.id && f.step === s.index);
        return {
          index: s.index,
          title: s.title,
          timeMs: spread(activeTimesToPass(records, lab.id, s.index)),
          reached: here.length,
          passed: here.filter((r) => r.firstPassedAt !== null).length,
          failedRuns: runs.length,
          topFails: topFails(runs.map((r) => r.feedback)),
        };
      }),
    })),
  };
}
