import { feedbackFrom } from '../feedback';
import type { CheckKind } from './check-kind';

/**
 * The script check: a bash script run in the machine through the script
 * runner (its machine, its timeout, the output cap); exit 0 means done. On
 * failure the student reads the script's `FAIL:` line or its last line.
 */
export const scriptCheck: CheckKind = {
  name: 'script',
  summary: 'a bash script run in the machine; exit 0 = step done. On failure the last non-empty output line is shown to the student; a line starting `FAIL:` is preferred (prefix stripped).',
  validate({ text }) {
    if (text.trim()) return [];
    return [{ message: 'the check block is empty', hint: 'write the bash script between the fences, or remove the block' }];
  },
  async run({ state, scripts }, check) {
    const result = await scripts.run(state, check);
    if (result.exitCode === 0 && !result.timedOut) return { passed: true };
    const explicit = !result.timedOut && /^\s*FAIL:/m.test(`${result.stdout}\n${result.stderr}`);
    return { passed: false, feedback: feedbackFrom(result, check.timeoutSeconds), explicit };
  },
};
