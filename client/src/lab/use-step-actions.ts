/**
 * Moving between steps and running a step's check: the page shows the change
 * at once, then tells the server. A refused check shows as a failed check.
 */
import { request } from '../socket';
import { applyCheck, goto, type LabState } from '../logic/steps';
import { errorText } from '../error-text';

type SetLab = (f: (l: LabState | null) => LabState | null) => void;

export function useStepActions(sessionId: string, setLab: SetLab) {
  const failCheck = (step: number, feedback: string) => setLab((l) => (l ? applyCheck(l, { step, status: 'failed', trigger: 'button', feedback }) : l));

  const gotoStep = (step: number) => {
    setLab((l) => (l ? goto(l, step) : l));
    // The page already moved. The server applies the same step rules (server/contracts/step-rules.ts),
    // so a refusal means a race (another tab); there is nothing useful to tell the student.
    request('step:goto', { sessionId, step }).catch(() => undefined);
  };

  const runCheck = (step: number) => {
    setLab((l) => (l ? applyCheck(l, { step, status: 'running', trigger: 'button' }) : l));
    request('check:run', { sessionId, step })
      .then((r) => {
        if (!r.ok) failCheck(step, r.error ?? 'The check could not run.');
      })
      .catch((e: unknown) => failCheck(step, errorText(e)));
  };

  return { gotoStep, runCheck };
}
