import { feedbackFrom } from '../../../server/checks/feedback';

const result = (stdout: string, stderr = '', extra: Partial<{ timedOut: boolean; exitCode: number }> = {}) => ({
  exitCode: 1,
  stdout,
  stderr,
  timedOut: false,
  truncated: false,
  durationMs: 5,
  ...extra,
});

describe('check feedback', () => {
  test('the last FAIL: line wins, without its prefix', () => {
    expect(feedbackFrom(result('checking\nFAIL: first\nnoise\nFAIL:  no container named web\nmore'), 20)).toBe('no container named web');
  });

  test('without FAIL:, the last non-empty line of the output', () => {
    expect(feedbackFrom(result('one\ntwo\n\n', 'grep: /root/x: No such file\n'), 20)).toBe('grep: /root/x: No such file');
  });

  test('a timeout says so, whatever was printed', () => {
    expect(feedbackFrom(result('FAIL: nope', '', { timedOut: true }), 7)).toMatch(/longer than 7 s and was stopped/);
  });

  test('silence gets a neutral line', () => {
    expect(feedbackFrom(result(''), 20)).toBe('Not done yet.');
  });
});
