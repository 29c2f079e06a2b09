import { codeFromHash, explainJoinError, formatCode, normalizeCode } from '../../../client/src/logic/join';

test('codes are upper-cased and stripped of spaces and dashes', () => {
  expect(normalizeCode(' ab7k-q2 ')).toBe('AB7KQ2');
  expect(codeFromHash('#/join/ab7k-Q2')).toBe('AB7KQ2');
  expect(codeFromHash('#/join/')).toBe('');
  expect(codeFromHash('#/session/x')).toBe('');
  expect(codeFromHash('#/join/%E0%A4%A')).toBe('');
});

test('refusals land on the right field with the server words kept', () => {
  expect(explainJoinError(409, 'conflict', 'The name "Ann" is taken in this class.')).toEqual({ field: 'name', message: 'The name "Ann" is taken in this class.' });
  expect(explainJoinError(409, 'conflict', 'This class is full (30 seats).')).toEqual({ field: null, message: 'This class is full (30 seats).' });
  expect(explainJoinError(404, 'not_found', undefined).field).toBe('code');
  expect(explainJoinError(403, 'forbidden', 'Wrong or expired code.')).toEqual({ field: 'code', message: 'Wrong or expired code.' });
  expect(explainJoinError(403, 'forbidden', 'Ask your instructor to re-admit you: that name is already in the class.').field).toBe('name');
  expect(explainJoinError(429, 'rate_limited', undefined).message).toMatch(/Too many tries/);
  expect(explainJoinError(400, 'invalid', 'name: too long').field).toBe('name');
  expect(explainJoinError(400, 'invalid', 'code: enter the class code your instructor shows you (not your name).').field).toBe('code');
  expect(explainJoinError(400, undefined, 'The request failed (400).').message).toBe('Check the code and your name.');
});

test('codes are shown in two halves', () => {
  expect(formatCode('AB7KQ2')).toBe('AB7-KQ2');
  expect(formatCode('ABCDEFGH')).toBe('ABCD-EFGH');
  expect(formatCode('ABCDEFG')).toBe('ABCD-EFG');
  expect(formatCode('ABCD')).toBe('ABCD');
});
