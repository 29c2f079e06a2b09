/** A button per student action (pause, reset, end …); the destructive ones look it. */
import { ACTION_LABELS } from '../logic/student-actions';
import type { RunStudentAction } from './use-student-action';

type ActionName = keyof typeof ACTION_LABELS;
const ACTIONS = Object.keys(ACTION_LABELS) as ActionName[];

export function ActionButtons({ studentIds, run, busy }: { studentIds: string[]; run: RunStudentAction; busy: boolean }) {
  return (
    <>
      {ACTIONS.map((a) => (
        <button type="button" class={`btn small ${a === 'end' || a === 'reset' ? 'danger' : ''}`} disabled={busy} onClick={() => void run({ action: a }, studentIds)}>
          {ACTION_LABELS[a]}
        </button>
      ))}
    </>
  );
}
