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
  if (explicit) return explicit.slice(5).trim();
  const last = lines.pop();
  return last ? last.slice(0, 300) : 'Not done yet.';
}
