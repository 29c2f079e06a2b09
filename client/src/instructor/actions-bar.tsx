/** Acting on the selected students at once, and broadcasting to the whole class. */
import type { ClassGridView } from '../../../server/contracts/classroom';
import { ActionButtons } from './action-buttons';
import { Outcome } from './feedback';
import { iapi } from './instructor-api';
import { MessageForm } from './message-form';
import { useStudentAction } from './use-student-action';

export function ActionsBar({ classId, grid, selected, onClear }: { classId: string; grid: ClassGridView; selected: string[]; onClear: () => void }) {
  const { run, busy, result } = useStudentAction(classId, grid);
  return (
    <div class="actions-bar">
      <div class="row" role="group" aria-label="Actions on the selected students">
        <span class="small">{selected.length ? `${selected.length} selected:` : 'Select students to act on several at once.'}</span>
        {selected.length ? (
          <>
            <ActionButtons studentIds={selected} run={run} busy={busy} />
            <button type="button" class="btn small ghost" onClick={onClear}>
              Clear selection
            </button>
          </>
        ) : null}
        <Outcome outcome={result} />
      </div>
      <MessageForm id="broadcast-text" class="broadcast" label="Message to the whole class" button="Broadcast" sentText="Sent to the whole class." send={(text) => iapi.broadcast(classId, text)} />
    </div>
  );
}
