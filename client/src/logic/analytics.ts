/**
 * Geometry for the analytics pictures (plain SVG): a box plot of time per
 * step on a shared, rounded axis, and the drop-off funnel. Pure numbers so
 * the chart components only draw.
 */
import type { ClassAnalyticsView } from '../../../server/contracts/classroom';

type StepStats = ClassAnalyticsView['labs'][number]['steps'][number];

/** A "nice" upper bound for the axis (1, 2, 5 × 10^n minutes or seconds, in ms). */
export function niceMax(ms: number): number {
  if (!(ms > 0)) return 60_000;
  const unit = ms >= 120_000 ? 60_000 : 1000;
  const v = ms / unit;
  const pow = 10 ** Math.floor(Math.log10(v));
  const step = [1, 2, 5, 10].find((k) => k * pow >= v)!;
  return step * pow * unit;
}

/** Axis ticks (4 intervals) with labels in s or min. */
export function ticks(max: number): Array<{ ms: number; label: string }> {
  const minutes = max >= 120_000;
  return [0, 1, 2, 3, 4].map((i) => {
    const ms = (max * i) / 4;
    const v = minutes ? ms / 60_000 : ms / 1000;
    const label = `${Number(v.toFixed(2))}${minutes ? ' min' : ' s'}`;
    return { ms, label };
  });
}

export interface BoxGeometry {
  index: number;
  title: string;
  /** x positions as fractions 0..1 of the plot width; null when nobody passed yet. */
  box: { min: number; q1: number; median: number; q3: number; max: number } | null;
}

export function boxPlot(steps: StepStats[]): { max: number; rows: BoxGeometry[] } {
  const max = niceMax(Math.max(0, ...steps.map((s) => s.timeMs?.max ?? 0)));
  const f = (ms: number) => Math.min(1, Math.max(0, ms / max));
  return {
    max,
    rows: steps.map((s) => ({
      index: s.index,
      title: s.title,
      box: s.timeMs ? { min: f(s.timeMs.min), q1: f(s.timeMs.q1), median: f(s.timeMs.median), q3: f(s.timeMs.q3), max: f(s.timeMs.max) } : null,
    })),
  };
}

export interface FunnelBar {
  index: number;
  title: string;
  reached: number;
  passed: number;
  /** Share of the students who reached the first step (0..1). */
  reachedShare: number;
  passedShare: number;
}

export function funnel(steps: StepStats[]): FunnelBar[] {
  const base = Math.max(1, steps[0]?.reached ?? 0, ...steps.map((s) => s.reached));
  return steps.map((s) => ({ index: s.index, title: s.title, reached: s.reached, passed: s.passed, reachedShare: s.reached / base, passedShare: s.passed / base }));
}

/** The checks that fail most across a lab, worst first, with their most common FAIL lines. */
/** Chart labels have room for about `max` characters. */
export function shorten(text: string, max = 22): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

export function topFailingSteps(steps: StepStats[], limit = 5): StepStats[] {
  return steps
    .filter((s) => s.failedRuns > 0)
    .slice()
    .sort((a, b) => b.failedRuns - a.failedRuns || a.index - b.index)
    .slice(0, limit);
}
