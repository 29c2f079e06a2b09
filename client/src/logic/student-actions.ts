/** Actions on students from the grid: their button labels, which ask first, and the reply in words. */
import type { StudentAction, StudentActionReply } from '../../../server/contracts/classroom';

export type SimpleAction = Exclude<StudentAction['action'], 'mark_done'>;

export const ACTION_LABELS: Record<SimpleAction, string> = {
  reset: 'Reset lab',
  extend: 'More time',
  pause: 'Pause',
  resume: 'Resume',
  end: 'End lab',
  readmit: 'Re-admit',
  reveal_hint: 'Reveal next hint',
};

/** Actions that throw work away ask first; `who` is a name or "N students". */
export function confirmText(action: StudentAction['action'], who: string): string | null {
  if (action === 'reset')
    return `Reset the lab of ${who}? Their machines start over from scratch and the lab restarts at step 1. Their results are kept: steps passed, marks, attempts and time.`;
  if (action === 'end') return `End the lab of ${who}? Their machines are removed (progress is kept).`;
  return null;
}

export function describeWho(studentIds: string[], names: Map<string, string>): string {
  return studentIds.length === 1 ? (names.get(studentIds[0]!) ?? 'this student') : `${studentIds.length} students`;
}

/** "Done for 2 of 3. Bob: no lab open" */
export function describeReply(reply: StudentActionReply, names: Map<string, string>): string {
  const ok = reply.results.filter((r) => r.ok).length;
  const parts = [`Done for ${ok} of ${reply.results.length}.`];
  for (const f of reply.results.filter((r) => !r.ok)) parts.push(`${names.get(f.studentId) ?? f.studentId}: ${f.error ?? 'failed'}`);
  return parts.join(' ');
}
