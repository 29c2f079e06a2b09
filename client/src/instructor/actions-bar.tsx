/** Acting on the selected students at once, and broadcasting to the whole class. */
import { useState } from 'preact/hooks';
import type { ClassGridView, StudentAction } from '../../../server/contracts/classroom';
import { ACTION_LABELS, confirmText, describeReply, describeWho } from '../logic/student-actions';
import { iapi } from './instructor-api';
import { errorText } from './fields';

export function useStudentAction(classId: string, grid: ClassGridView) {
  const [result, setResult] = useState<{ text: string; bad: boolean } | null>(null);
  const [busy, setBusy] = useState(false);
  const names = new Map(grid.rows.map((r) => [r.studentId, r.name]));
  const run = async (action: StudentAction, studentIds: string[]): Promise<boolean> => {
    const ask = confirmText(action.action, describeWho(studentIds, names));
    if (ask && !window.confirm(ask)) return false;
    setBusy(true);
    setResult(null);
    try {
      const reply = await iapi.act(classId, { ...action, studentIds });
      setResult({ text: describeReply(reply, names), bad: reply.results.some((r) => !r.ok) });
      return reply.results.every((r) => r.ok);
    } catch (e) {
      setResult({ text: errorText(e), bad: true });
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { run, busy, result, setResult };
}

export function ActionsBar({ classId, grid, selected, onClear }: { classId: string; grid: ClassGridView; selected: string[]; onClear: () => void }) {
  const { run, busy, result } = useStudentAction(classId, grid);
  const [text, setText] = useState('');
  const [sent, setSent] = useState<{ text: string; bad: boolean } | null>(null);

  const broadcast = async (e: Event) => {
    e.preventDefault();
    if (!text.trim()) {
      setSent({ text: 'Type a message first.', bad: true });
      return;
    }
    try {
      await iapi.broadcast(classId, text.trim());
      setSent({ text: 'Sent to the whole class.', bad: false });
      setText('');
    } catch (err) {
      setSent({ text: errorText(err), bad: true });
    }
  };

  return (
    <div class="actions-bar">
      <div class="row" role="group" aria-label="Actions on the selected students">
        <span class="small">{selected.length ? `${selected.length} selected:` : 'Select students to act on several at once.'}</span>
        {selected.length
          ? (Object.keys(ACTION_LABELS) as Array<keyof typeof ACTION_LABELS>).map((a) => (
              <button type="button" class={`btn small ${a === 'end' || a === 'reset' ? 'danger' : ''}`} disabled={busy} onClick={() => void run({ action: a }, selected)}>
                {ACTION_LABELS[a]}
              </button>
            ))
          : null}
        {selected.length ? (
          <button type="button" class="btn small ghost" onClick={onClear}>
            Clear selection
          </button>
        ) : null}
        {result ? (
          <span class={`small ${result.bad ? 'bad' : 'good'}`} role="status">
            {result.text}
          </span>
        ) : null}
      </div>
      <form class="row broadcast" onSubmit={broadcast}>
        <label for="broadcast-text">Message to the whole class</label>
        <input id="broadcast-text" class="grow" maxLength={500} value={text} onInput={(e) => setText((e.target as HTMLInputElement).value)} />
        <button type="submit" class="btn small">
          Broadcast
        </button>
        {sent ? (
          <span class={`small ${sent.bad ? 'bad' : 'good'}`} role="status">
            {sent.text}
          </span>
        ) : null}
      </form>
    </div>
  );
}
