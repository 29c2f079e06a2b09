/**
 * The live class grid: one row per student, one column per step (grouped by
 * lab). Patches arrive over the socket and are merged once per animation
 * frame (use-live-grid); rows that did not change are not re-rendered.
 * Keyboard: one cell is in the tab order; arrow keys move between cells,
 * Enter opens the student.
 */
import { Component } from 'preact';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ClassGridView, GridRow, InstructorView } from '../../../server/contracts/classroom';
import { ErrorBox } from '../components/common';
import {
  cellGlyph,
  DEFAULT_RULES,
  describeCell,
  FILTER_LABELS,
  formatAgo,
  formatDuration,
  matchesGridFilter,
  rowFacts,
  SORT_LABELS,
  sortRows,
  summaryLines,
  totalCells,
  type GridFilter,
  type GridSort,
  type RowFacts,
  type StuckRules,
} from '../logic/grid';
import { nextCell } from '../logic/grid-keys';
import { useLiveGrid } from './use-live-grid';
import { ActionsBar } from './actions-bar';
import { StudentPanel } from './student-panel';

export function LiveGridPage({ classId }: { classId: string; me: InstructorView }) {
  const { grid, error, conn } = useLiveGrid(classId);
  const [filter, setFilter] = useState<GridFilter>('all');
  const [sort, setSort] = useState<GridSort>('name');
  const [query, setQuery] = useState('');
  const [rules, setRules] = useState<StuckRules>(DEFAULT_RULES);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [open, setOpen] = useState<{ studentId: string; labId?: string; step?: number } | null>(null);
  const [detail, setDetail] = useState<string>('');
  // The one cell in the tab order (a roving tabindex), by student so it survives sorting.
  const [focusCell, setFocusCell] = useState<{ studentId: string; col: number; move: boolean } | null>(null);
  const tbody = useRef<HTMLTableSectionElement>(null);
  // Times on steps and "idle" move with the clock, not only with events.
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = window.setInterval(() => setNow(Date.now()), 5000);
    return () => window.clearInterval(t);
  }, []);

  const labIds = useMemo(() => grid?.labs.map((l) => l.id) ?? [], [grid?.labs]);
  const shown = useMemo(() => {
    if (!grid) return [];
    const all = grid.rows.map((row) => ({ row, facts: rowFacts(row, labIds, now, rules) }));
    return sortRows(
      all.filter((x) => matchesGridFilter(x.row, x.facts, filter, query)),
      sort,
    );
  }, [grid, labIds, now, rules, filter, query, sort]);

  const cols = grid ? totalCells(grid.labs) : 0;
  const active = focusCell && shown.some((x) => x.row.studentId === focusCell.studentId) ? focusCell : shown[0] ? { studentId: shown[0].row.studentId, col: 0, move: false } : null;
  useLayoutEffect(() => {
    if (!focusCell?.move) return;
    tbody.current?.querySelector<HTMLElement>(`tr[data-student-id="${CSS.escape(focusCell.studentId)}"] td.cell[data-c="${focusCell.col}"]`)?.focus();
  }, [focusCell]);

  const onGridKey = (e: KeyboardEvent) => {
    const cell = (e.target as HTMLElement).closest?.('td.cell') as HTMLElement | null;
    if (!cell) return;
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      cell.click();
      return;
    }
    const r = shown.findIndex((x) => x.row.studentId === cell.closest('tr')?.dataset.studentId);
    const next = nextCell(e.key, r, Number(cell.dataset.c), shown.length, cols);
    if (!next) return;
    e.preventDefault();
    setFocusCell({ studentId: shown[next.row]!.row.studentId, col: next.col, move: true });
  };

  if (error && !grid) return <ErrorBox message={error} />;
  if (!grid) return <p class="loading" role="status">Connecting to the class…</p>;

  const toggle = (id: string) =>
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
  const allShown = shown.length > 0 && shown.every((x) => selected.has(x.row.studentId));
  const openRow = open ? grid.rows.find((r) => r.studentId === open.studentId) : undefined;
  const base = `#/instructor/classes/${encodeURIComponent(classId)}`;

  return (
    <section class="live" aria-labelledby="live-title">
      <div class="ihead">
        <h1 id="live-title">Live view</h1>
        <span class={`conn conn-${conn}`} role="status">
          <span class="dot" aria-hidden="true" /> {conn === 'connected' ? 'Live' : conn === 'offline' ? 'Offline' : 'Reconnecting…'}
        </span>
        <span class="spacer" />
        <a class="btn small" href={base}>
          Class page
        </a>
        <a class="btn small" href={`${base}/analytics`}>
          Results and analytics
        </a>
      </div>
      <Summary grid={grid} />
      <form class="grid-controls" role="search" aria-label="Filter the students" onSubmit={(e) => e.preventDefault()}>
        <label class="field">
          <span>Show</span>
          <select value={filter} onChange={(e) => setFilter((e.target as HTMLSelectElement).value as GridFilter)}>
            {(Object.keys(FILTER_LABELS) as GridFilter[]).map((f) => (
              <option value={f}>{FILTER_LABELS[f]}</option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>Sort by</span>
          <select value={sort} onChange={(e) => setSort((e.target as HTMLSelectElement).value as GridSort)}>
            {(Object.keys(SORT_LABELS) as GridSort[]).map((s) => (
              <option value={s}>{SORT_LABELS[s]}</option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>Find a student</span>
          <input type="search" value={query} onInput={(e) => setQuery((e.target as HTMLInputElement).value)} />
        </label>
        <label class="field narrow">
          <span>Stuck after (min)</span>
          <input type="number" min={1} max={240} value={rules.stuckMinutes} onInput={(e) => setRules({ ...rules, stuckMinutes: Math.max(1, Number((e.target as HTMLInputElement).value) || DEFAULT_RULES.stuckMinutes) })} />
        </label>
        <label class="field narrow">
          <span>or failing (tries)</span>
          <input type="number" min={1} max={50} value={rules.failRuns} onInput={(e) => setRules({ ...rules, failRuns: Math.max(1, Number((e.target as HTMLInputElement).value) || DEFAULT_RULES.failRuns) })} />
        </label>
        <span class="muted small" role="status">
          {shown.length} of {grid.rows.length} students shown
        </span>
      </form>
      <ActionsBar classId={classId} grid={grid} selected={[...selected].filter((id) => grid.rows.some((r) => r.studentId === id))} onClear={() => setSelected(new Set())} />
      <p class="cell-detail" aria-hidden="true">
        {detail || 'Hover or focus a cell to read it; Enter opens the student.'}
      </p>
      <div class="grid-scroll">
        <table class="class-grid" aria-label="Students and their steps" aria-rowcount={shown.length + 2}>
          <thead>
            <tr>
              <th rowSpan={2} scope="col">
                <input type="checkbox" aria-label="Select every student shown" checked={allShown} onChange={() => setSelected(allShown ? new Set() : new Set(shown.map((x) => x.row.studentId)))} />
              </th>
              <th rowSpan={2} scope="col">
                Student
              </th>
              <th rowSpan={2} scope="col">
                Lab state
              </th>
              {grid.labs.map((l) => (
                <th colSpan={Math.max(1, l.steps.length)} scope="colgroup" class="lab-head" title={l.title}>
                  {l.title}
                </th>
              ))}
              <th rowSpan={2} scope="col">
                On step
              </th>
              <th rowSpan={2} scope="col">
                Last activity
              </th>
              <th rowSpan={2} scope="col">
                Help used
              </th>
            </tr>
            <tr>
              {grid.labs.flatMap((l) =>
                l.steps.map((s) => (
                  <th scope="col" class="step-head" title={`${l.title}: ${s.title}`}>
                    {s.index + 1}
                  </th>
                )),
              )}
            </tr>
          </thead>
          <tbody
            ref={tbody}
            onKeyDown={onGridKey}
            onFocusIn={(e) => {
              const t = e.target as HTMLElement;
              setDetail(t.getAttribute?.('aria-label') ?? '');
              // A click or Tab into a cell makes it the one in the tab order.
              const id = t.closest?.('tr')?.getAttribute('data-student-id');
              if (t.matches?.('td.cell') && id && (id !== active?.studentId || Number(t.dataset.c) !== active?.col)) setFocusCell({ studentId: id, col: Number(t.dataset.c), move: false });
            }}
            onMouseOver={(e) => {
              const t = (e.target as HTMLElement).closest?.('td.cell');
              if (t) setDetail(t.getAttribute('aria-label') ?? '');
            }}
          >
            {shown.map((x, r) => (
              <Row
                key={x.row.studentId}
                row={x.row}
                facts={x.facts}
                labs={grid.labs}
                now={now}
                rowIndex={r}
                focusCol={active?.studentId === x.row.studentId ? active.col : null}
                selected={selected.has(x.row.studentId)}
                onSelect={toggle}
                onOpen={(labId, step) => setOpen({ studentId: x.row.studentId, labId, step })}
              />
            ))}
          </tbody>
        </table>
        {shown.length === 0 ? <p class="muted">No student matches.</p> : null}
      </div>
      {open && openRow ? <StudentPanel key={open.studentId} classId={classId} grid={grid} row={openRow} labId={open.labId} step={open.step} onClose={() => (setOpen(null), setFocusCell((c) => (c ? { ...c, move: true } : c)))} /> : null}
    </section>
  );
}

function Summary({ grid }: { grid: ClassGridView }) {
  const lines = summaryLines(grid.summary, grid.labs);
  return (
    <dl class="grid-summary" aria-label="Class summary">
      {lines.map((l, i) => (
        <div class={i < 3 ? 'big' : 'lab'}>
          <dt>{l.label}</dt>
          <dd>{l.value}</dd>
        </div>
      ))}
    </dl>
  );
}

interface RowProps {
  row: GridRow;
  facts: RowFacts;
  labs: ClassGridView['labs'];
  now: number;
  rowIndex: number;
  /** The column of this row's cell that is in the tab order, if any. */
  focusCol: number | null;
  selected: boolean;
  onSelect: (id: string) => void;
  onOpen: (labId?: string, step?: number) => void;
}

/** A row re-renders only when its student changed, it moved, its selection changed or the clock ticked. */
class Row extends Component<RowProps> {
  shouldComponentUpdate(next: RowProps): boolean {
    const p = this.props;
    return next.row !== p.row || next.now !== p.now || next.selected !== p.selected || next.rowIndex !== p.rowIndex || next.focusCol !== p.focusCol || next.labs !== p.labs || next.facts.stuck !== p.facts.stuck;
  }

  render({ row, facts, labs, now, rowIndex, focusCol, selected, onSelect, onOpen }: RowProps) {
    const state = row.session?.state ?? 'none';
    let col = 0;
    let hints = 0;
    let solutions = 0;
    for (const l of labs)
      for (const c of row.cells[l.id] ?? []) {
        hints += c.hints;
        if (c.solutionViewed) solutions++;
      }
    const flags = [facts.stuck ? 'stuck' : '', facts.idle ? 'idle' : '', facts.finished ? 'finished' : '', row.admitted ? '' : 'locked'].filter(Boolean).join(' ');
    return (
      <tr class={`grid-row ${flags}`} data-student={row.name} data-student-id={row.studentId} aria-rowindex={rowIndex + 3}>
        <td>
          <input type="checkbox" aria-label={`Select ${row.name}`} checked={selected} onChange={() => onSelect(row.studentId)} />
        </td>
        <th scope="row" class="who">
          <button type="button" class="linkish" onClick={() => onOpen()} title={facts.stuckWhy ?? undefined}>
            {row.name}
          </button>
          {facts.stuck ? (
            <span class="flag stuck" title={facts.stuckWhy ?? ''}>
              stuck
            </span>
          ) : null}
          {row.takeover ? <span class="flag takeover">you are typing</span> : null}
          {!row.admitted ? <span class="flag">locked out</span> : null}
        </th>
        <td class={`state state-${state}`} data-state={state}>
          {state === 'none' ? '–' : state}
        </td>
        {labs.flatMap((l) =>
          l.steps.map((s) => {
            const cell = row.cells[l.id]?.[s.index];
            const c = col++;
            const label = describeCell(row.name, l.title, s.index, s.title, cell);
            return (
              <td
                class={`cell cell-${cell?.state ?? 'not_reached'}`}
                data-lab={l.id}
                data-step={s.index}
                data-state={cell?.state ?? 'not_reached'}
                data-c={c}
                tabIndex={focusCol === c ? 0 : -1}
                aria-label={label}
                title={label}
                onClick={() => onOpen(l.id, s.index)}
              >
                <span aria-hidden="true">{cellGlyph(cell)}</span>
              </td>
            );
          }),
        )}
        <td class="num">{facts.onStepMs === null ? '–' : formatDuration(facts.onStepMs)}</td>
        <td class="num">{formatAgo(row.lastActivityAt, now)}</td>
        <td class="num" title={`${hints} hints, ${solutions} solutions viewed`}>
          {hints || solutions ? `${hints} ${hints === 1 ? 'hint' : 'hints'}${solutions ? ` · ${solutions} sol.` : ''}` : '–'}
        </td>
      </tr>
    );
  }
}
