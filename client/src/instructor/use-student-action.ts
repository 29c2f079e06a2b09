/**
 * Acting on students (one from the student panel, several from the actions
 * bar): asks before a destructive action, then says how it went for each.
 */
import { useState } from 'preact/hooks';
import type { ClassGridView, StudentAction } from '../../../server/contracts/classroom';
import { confirmText, describeReply, describeWho } from '../logic/student-actions';
import { errorText } from '../error-text';
import { iapi } from './instructor-api';

export type RunStudentAction = (action: StudentAction, studentIds: string[]) => Promise<boolean>;

export function useStudentAction(classId: string, grid: ClassGridView) {
  const [result, setResult] = useState<{ text: string; bad: boolean } | null>(null);
  const [busy, setBusy] = useState(false);
  const names = new Map(grid.rows.map((r) => [r.studentId, r.name]));
  /** True when it worked for every student. */
  const run: RunStudentAction = async (action, studentIds) => {
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
  return { run, busy, result };
}
