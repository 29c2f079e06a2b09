import { ACTION_LABELS, confirmText, describeReply, describeWho } from '../../../client/src/logic/student-actions';

const names = new Map([
  ['s1', 'Ann'],
  ['s2', 'Bob'],
]);

test('reset and end ask first, naming who; the others do not', () => {
  expect(confirmText('reset', describeWho(['s1'], names))).toBe(
    'Reset the lab of Ann? Their machines start over from scratch and the lab restarts at step 1. Their results are kept: steps passed, marks, attempts and time.',
  );
  expect(confirmText('end', describeWho(['s1', 's2'], names))).toMatch(/^End the lab of 2 students\?/);
  for (const a of ['extend', 'pause', 'resume', 'readmit', 'reveal_hint', 'mark_done'] as const) expect(confirmText(a, 'Ann')).toBeNull();
  expect(describeWho(['zz'], names)).toBe('this student');
});

test('a reply says how many succeeded and why the others failed', () => {
  expect(describeReply({ results: [{ studentId: 's1', ok: true }] }, names)).toBe('Done for 1 of 1.');
  expect(
    describeReply(
      {
        results: [
          { studentId: 's1', ok: true },
          { studentId: 's2', ok: false, error: 'no lab open' },
          { studentId: 's3', ok: false },
        ],
      },
      names,
    ),
  ).toBe('Done for 1 of 3. Bob: no lab open s3: failed');
});

test('every simple action has a button label', () => {
  expect(Object.keys(ACTION_LABELS).sort()).toEqual(['end', 'extend', 'pause', 'readmit', 'reset', 'resume', 'reveal_hint']);
});
