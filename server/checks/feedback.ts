import type { ExecOutcome } from '../backend/lab-backend';

/**
 * What a student reads when a check fails: the last `FAIL:` line if the
 * script wrote one, else its last non-empty output line, else a generic line.
 */
export function feedbackFrom(result: ExecOutcome, timeoutSeconds: number): string {
  if (result.timedOut) return `The check took longer than ${timeoutSeconds} s and was stopped. Is something still running in the foreground?`;
  const lines = `${result.stdout}\n${result.stderr}`
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  const explicit = lines.filter((l) => l.startsWith('FAIL:')).pop();
  if (explicit) return capFeedback(explicit.slice(5).trim());
  const last = lines.pop();
  return last ? capFeedback(last) : 'Not done yet.';
}

/** Longest feedback kept: it is shown in one line, stored for every run and sent to the instructor grid. */
export const FEEDBACK_MAX_CHARS = 300;

/** A check's output is the student's to shape: cap it (and drop control characters) before anyone stores it. */
export function capFeedback(text: string): string {
  const clean = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
  return clean.length > FEEDBACK_MAX_CHARS ? `${clean.slice(0, FEEDBACK_MAX_CHARS - 1)}…` : clean;
}
