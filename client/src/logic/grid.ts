/**
 * The live class grid's pure parts: merging `class:rows` patches into the
 * snapshot, what makes a student "stuck", "idle" or "finished", filters,
 * sorting and the words of the summary. No DOM, no socket: unit-tested.
 */
import type { ClassGridView, ClassSummaryStats, GridCell, GridRow } from '../../../server/contracts/classroom';

export interface RowsPatch {
  classId: string;
  rows: GridRow[];
  summary: ClassSummaryStats;
  at: number;
}

/**
 * Applies patches in arrival order. A patch older than the snapshot is
 * skipped: the snapshot already holds newer rows, and replaying an old row
 * would show a student going backwards.
 */
export function mergePatches(grid: ClassGridView, patches: RowsPatch[]): ClassGridView {
  let rows = grid.rows;
  let summary = grid.summary;
  let at = grid.at;
  let index: Map<string, number> | null = null;
  for (const p of patches) {
    if (p.classId !== grid.classId || p.at < at) continue;
    if (!index) {
      rows = rows.slice();
      index = new Map(rows.map((r, i) => [r.studentId, i]));
    }
    for (const row of p.rows) {
      const i = index.get(row.studentId);
      if (i === undefined) {
        index.set(row.studentId, rows.length);
        rows.push(row);
      } else rows[i] = row;
    }
    summary = p.summary;
    at = p.at;
  }
  if (!index) return grid;
  return { ...grid, rows, summary, at };
}

/** What the instructor can tune about "stuck" and "idle". */
export interface StuckRules {
  /** On one step longer than this is stuck. */
  stuckMinutes: number;
  /** Failing the current step's check this many times (or more) is stuck. */
  failRuns: number;
  /** No activity for this long (while a lab is open) is idle. */
  idleMinutes: number;
}

export const DEFAULT_RULES: StuckRules = { stuckMinutes: 10, failRuns: 3, idleMinutes: 5 };

export interface RowFacts {
  /** Cells done or marked, over every lab of the class. */
  done: number;
  total: number;
  /** ms on the current step, null when not on one. */
  onStepMs: number | null;
  /** The cell of the step the student is on. */
  currentCell: GridCell | null;
  stuck: boolean;
  /** Why, in words for the row's title. */
  stuckWhy: string | null;
  idle: boolean;
  finished: boolean;
  failing: boolean;
}

export function rowFacts(row: GridRow, labIds: string[], now: number, rules: StuckRules = DEFAULT_RULES): RowFacts {
  let done = 0;
  let total = 0;
  for (const id of labIds) {
    for (const c of row.cells[id] ?? []) {
      total++;
      if (c.state === 'done' || c.state === 'marked') done++;
    }
  }
  const cur = row.current;
  const currentCell = cur ? (row.cells[cur.labId]?.[cur.step] ?? null) : null;
  const onStepMs = cur ? Math.max(0, now - cur.since) : null;
  const finished = labIds.length > 0 && labIds.every((id) => row.finishedLabs.includes(id));
  const failing = currentCell?.state === 'failing';
  let stuckWhy: string | null = null;
  const open = currentCell && currentCell.state !== 'done' && currentCell.state !== 'marked';
  if (!finished && open) {
    if (failing && currentCell.attempts >= rules.failRuns) stuckWhy = `failed this step ${currentCell.attempts} times`;
    else if (onStepMs !== null && onStepMs >= rules.stuckMinutes * 60_000) stuckWhy = `on this step for ${formatDuration(onStepMs)}`;
  }
  const labOpen = row.session !== null && ['queued', 'starting', 'running', 'paused'].includes(row.session.state);
  const idle = !finished && labOpen && (row.lastActivityAt === null || now - row.lastActivityAt >= rules.idleMinutes * 60_000);
  return { done, total, onStepMs, currentCell, stuck: stuckWhy !== null, stuckWhy, idle, finished, failing };
}

export type GridFilter = 'all' | 'stuck' | 'failing' | 'idle' | 'finished' | 'not_started';
export type GridSort = 'name' | 'progress' | 'on_step' | 'activity' | 'state';

export const FILTER_LABELS: Record<GridFilter, string> = {
  all: 'Everyone',
  stuck: 'Stuck',
  failing: 'Failing a check',
  idle: 'Idle',
  finished: 'Finished',
  not_started: 'Not started',
};

export const SORT_LABELS: Record<GridSort, string> = {
  name: 'Name',
  progress: 'Progress (least first)',
  on_step: 'Time on current step (longest first)',
  activity: 'Last activity (oldest first)',
  state: 'Session state',
};

export function matchesGridFilter(row: GridRow, facts: RowFacts, filter: GridFilter, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (q && !row.name.toLowerCase().includes(q)) return false;
  switch (filter) {
    case 'all':
      return true;
    case 'stuck':
      return facts.stuck;
    case 'failing':
      return facts.failing;
    case 'idle':
      return facts.idle;
    case 'finished':
      return facts.finished;
    case 'not_started':
      return facts.done === 0 && row.current === null;
  }
}

const STATE_ORDER = ['failed', 'paused', 'queued', 'starting', 'running', 'ended', 'none'];

function stateRank(row: GridRow): number {
  return STATE_ORDER.indexOf(row.session?.state ?? 'none');
}

/** A stable sort (ties broken by name, then id) so rows do not jump around between updates. */
export function sortRows(rows: Array<{ row: GridRow; facts: RowFacts }>, sort: GridSort): Array<{ row: GridRow; facts: RowFacts }> {
  const byName = (a: GridRow, b: GridRow) => a.name.localeCompare(b.name) || a.studentId.localeCompare(b.studentId);
  const key = (x: { row: GridRow; facts: RowFacts }): number => {
    switch (sort) {
      case 'name':
        return 0;
      case 'progress':
        return x.facts.total ? x.facts.done / x.facts.total : 0;
      case 'on_step':
        return -(x.facts.onStepMs ?? -1);
      case 'activity':
        return x.row.lastActivityAt ?? -Infinity;
      case 'state':
        return stateRank(x.row);
    }
  };
  return rows
    .map((x) => ({ x, k: key(x) }))
    .sort((a, b) => (a.k === b.k ? byName(a.x.row, b.x.row) : a.k < b.k ? -1 : 1))
    .map((e) => e.x);
}

/** "45s", "4m 20s", "1h 05m". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/** "just now", "3 min ago", "2 h ago", "never". */
export function formatAgo(at: number | null, now: number): string {
  if (at === null) return 'never';
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 45) return 'just now';
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  return `${Math.round(m / 60)} h ago`;
}

const CELL_WORDS: Record<GridCell['state'], string> = {
  done: 'done',
  marked: 'marked done by an instructor',
  current: 'working on it',
  failing: 'check failing',
  not_reached: 'not reached',
};

/** The cell's aria-label / title: everything the colour says, in words. */
export function describeCell(student: string, labTitle: string, stepIndex: number, stepTitle: string, cell: GridCell | undefined): string {
  const c = cell ?? { state: 'not_reached' as const, attempts: 0, hints: 0, solutionViewed: false };
  const parts = [`${student}, ${labTitle} step ${stepIndex + 1} (${stepTitle}): ${CELL_WORDS[c.state]}`];
  if (c.attempts > 0) parts.push(`${c.attempts} failed ${c.attempts === 1 ? 'try' : 'tries'}`);
  if (c.hints > 0) parts.push(`${c.hints} ${c.hints === 1 ? 'hint' : 'hints'}`);
  if (c.solutionViewed) parts.push('solution viewed');
  let text = parts.join(', ');
  if (c.lastFail) text += `. Last failure: ${c.lastFail}`;
  return text;
}

/** The short mark drawn in a cell (colour is never the only signal). */
export function cellGlyph(cell: GridCell | undefined): string {
  switch (cell?.state) {
    case 'done':
      return '✓';
    case 'marked':
      return '☑';
    case 'current':
      return '●';
    case 'failing':
      return '✗';
    default:
      return '';
  }
}

export interface SummaryLine {
  label: string;
  value: string;
}

/** The class summary on top of the grid. */
export function summaryLines(s: ClassSummaryStats, labs: ClassGridView['labs']): SummaryLine[] {
  const lines: SummaryLine[] = [
    { label: 'Students', value: String(s.students) },
    { label: 'Started', value: `${s.started} of ${s.students}` },
    { label: 'Finished', value: `${s.finished} of ${s.students}` },
  ];
  return lines.concat(
    labs.map((lab) => {
      const at = s.atStep[lab.id] ?? [];
      const med = s.medianStepMs[lab.id] ?? [];
      const parts = lab.steps.map((st) => `${st.index + 1}: ${at[st.index] ?? 0}${med[st.index] != null ? ` (${formatDuration(med[st.index])})` : ''}`);
      return { label: `${lab.title}: students at each step (median time)`, value: parts.join(' · ') };
    }),
  );
}

/** Step columns in the grid (every step of every lab of the class). */
export function totalCells(labs: ClassGridView['labs']): number {
  return labs.reduce((n, l) => n + l.steps.length, 0);
}
