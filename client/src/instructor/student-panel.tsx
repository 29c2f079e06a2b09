/**
 * One student, opened from the grid: their steps in words, actions, a
 * message, marking a step done, and watching / taking over their terminals
 * (the terminal code, xterm and all, loads only when Watch is pressed).
 */
import type { ComponentType } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ClassGridView, GridRow } from '../../../server/contracts/classroom';
import { describeCell } from '../logic/grid';
import { whenIdle } from '../idle';
import { lazyChunk } from '../lazy-chunk';
import { iapi } from './instructor-api';
import { ActionButtons } from './action-buttons';
import { FormError, Outcome } from './feedback';
import { MessageForm } from './message-form';
import { useStudentAction, type RunStudentAction } from './use-student-action';
import type { WatchPanelProps } from './watch-panel';

interface Props {
  classId: string;
  grid: ClassGridView;
  row: GridRow;
  labId?: string;
  step?: number;
  onClose: () => void;
}

export function StudentPanel({ classId, grid, row, labId, step, onClose }: Props) {
  const { run, busy, result } = useStudentAction(classId, grid);
  const [watching, setWatching] = useState(false);
  const [Watch, setWatch] = useState<ComponentType<WatchPanelProps> | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && !watching && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [watching]);

  const startWatching = () => {
    setWatching(true);
    if (!Watch)
      loadWatchPanel()
        .then((m) => setWatch(() => m.WatchPanel))
        .catch(() => setLoadError('The terminal viewer failed to load. Reload the page to try again.'));
  };

  const current = row.current ? grid.labs.find((l) => l.id === row.current!.labId) : undefined;
  const focusLab = grid.labs.find((l) => l.id === (labId ?? row.current?.labId)) ?? grid.labs[0];
  const running = row.session?.state === 'running';
  // An instructor who opens a student with a lab running most likely watches next: xterm comes meanwhile.
  useEffect(() => (running ? whenIdle(() => void loadWatchPanel().catch(() => undefined)) : undefined), [running]);

  return (
    <aside class="student-panel" aria-labelledby="sp-title">
      <div class="ihead">
        <h2 id="sp-title" tabIndex={-1} ref={heading}>
          {row.name}
        </h2>
        <span class="muted small">
          {row.session ? `${row.session.labId}: ${row.session.state}` : 'no lab open'}
          {current && row.current ? ` · on ${current.title} step ${row.current.step + 1}` : ''}
        </span>
        <span class="spacer" />
        <button type="button" class="btn small" onClick={onClose} aria-label={`Close ${row.name}`}>
          Close
        </button>
      </div>
      <div class="row" role="group" aria-label={`Actions for ${row.name}`}>
        <button type="button" class="btn small primary" disabled={!running} onClick={startWatching} title={running ? 'See their terminal, read-only' : 'Their lab is not running'}>
          Watch terminal
        </button>
        <ActionButtons studentIds={[row.studentId]} run={run} busy={busy} />
        <Outcome outcome={result} />
      </div>
      <FormError error={loadError} />
      {watching && row.session && Watch ? <Watch key={row.session.id} session={row.session} studentName={row.name} takeoverActive={row.takeover} onClose={() => setWatching(false)} /> : null}
      {watching && !Watch && !loadError ? <p class="loading">Loading the terminal…</p> : null}
      <MessageForm id="sp-message" label={`Message to ${row.name}`} button="Send" sentText={`Sent to ${row.name}.`} send={(text) => iapi.message(classId, row.studentId, text)} />
      {focusLab ? <MarkDone grid={grid} row={row} initialLab={focusLab.id} initialStep={step ?? row.current?.step ?? 0} run={run} /> : null}
      <details class="student-steps">
        <summary>Every step in words</summary>
        <ul>
          {grid.labs.flatMap((l) => l.steps.map((s) => <li>{describeCell(row.name, l.title, s.index, s.title, row.cells[l.id]?.[s.index])}</li>))}
        </ul>
      </details>
    </aside>
  );
}

function MarkDone({
  grid,
  row,
  initialLab,
  initialStep,
  run,
}: {
  grid: ClassGridView;
  row: GridRow;
  initialLab: string;
  initialStep: number;
  run: RunStudentAction;
}) {
  const [labId, setLabId] = useState(initialLab);
  const [step, setStep] = useState(initialStep);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const lab = grid.labs.find((l) => l.id === labId) ?? grid.labs[0]!;
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!reason.trim()) {
      setError('Say why (it is kept with the result, marked as yours, not as passed).');
      return;
    }
    setError(null);
    if (await run({ action: 'mark_done', labId: lab.id, step, reason: reason.trim() }, [row.studentId])) setReason('');
  };
  return (
    <form class="mark-done" onSubmit={submit} aria-labelledby="md-title">
      <h3 id="md-title">Mark a step done</h3>
      <div class="row">
        <label for="md-lab">Lab</label>
        <select id="md-lab" value={lab.id} onChange={(e) => (setLabId((e.target as HTMLSelectElement).value), setStep(0))}>
          {grid.labs.map((l) => (
            <option value={l.id}>{l.title}</option>
          ))}
        </select>
        <label for="md-step">Step</label>
        <select id="md-step" value={String(step)} onChange={(e) => setStep(Number((e.target as HTMLSelectElement).value))}>
          {lab.steps.map((s) => (
            <option value={String(s.index)}>
              {s.index + 1}. {s.title}
            </option>
          ))}
        </select>
      </div>
      <div class="row">
        <label for="md-reason">Reason</label>
        <input id="md-reason" class="grow" maxLength={300} value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} aria-invalid={error ? 'true' : undefined} aria-describedby={error ? 'md-error' : undefined} />
        <button type="submit" class="btn small">
          Mark done
        </button>
      </div>
      <FormError id="md-error" error={error} />
    </form>
  );
}

/** The terminal viewer's chunk, xterm with it. */
const loadWatchPanel = lazyChunk(() => import('./watch-panel'));
