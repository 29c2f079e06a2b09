import {
  admitInput,
  coalesceDecision,
  inputMayResume,
  pauseDecision,
  sendBudget,
  type CoalesceLimits,
  type InputLimits,
  type OutputLimits,
} from '../../../server/terminal/flow-control';

const out: OutputLimits = { high: 1000, low: 100, chunk: 300 };

describe('what to send', () => {
  test('a whole message while below the high watermark, nothing at or above it', () => {
    expect(sendBudget(0, out)).toBe(300);
    expect(sendBudget(999, out)).toBe(300);
    expect(sendBudget(1000, out)).toBe(0);
    expect(sendBudget(5000, out)).toBe(0);
  });
});

describe('when to pause and resume the shell', () => {
  test('pauses at the high watermark, not before', () => {
    expect(pauseDecision(false, 999, out)).toBe('hold');
    expect(pauseDecision(false, 1000, out)).toBe('pause');
  });

  test('a paused shell stays paused between the watermarks and resumes at the low one', () => {
    expect(pauseDecision(true, 1000, out)).toBe('hold');
    expect(pauseDecision(true, 101, out)).toBe('hold');
    expect(pauseDecision(true, 100, out)).toBe('resume');
    expect(pauseDecision(true, 0, out)).toBe('resume');
  });

  test('a running shell below the low watermark is left alone', () => {
    expect(pauseDecision(false, 0, out)).toBe('hold');
  });
});

describe('coalescing output', () => {
  const co: CoalesceLimits = { quietMs: 5, batchMs: 3, maxBatch: 4096 };

  test('output after a quiet moment goes at once (a keystroke echo)', () => {
    expect(coalesceDecision(1, Infinity, false, co)).toBe('now');
    expect(coalesceDecision(1, 5, false, co)).toBe('now');
    expect(coalesceDecision(1, 250, false, co)).toBe('now');
  });

  test('output that keeps coming is gathered', () => {
    expect(coalesceDecision(10, 0, false, co)).toBe('later');
    expect(coalesceDecision(4095, 4.9, false, co)).toBe('later');
  });

  test('output right after the student typed goes at once, however busy (the echo of a fast typist)', () => {
    expect(coalesceDecision(1, 0.5, true, co)).toBe('now');
  });

  test('a full message goes at once however busy the stream', () => {
    expect(coalesceDecision(4096, 0, false, co)).toBe('now');
    expect(coalesceDecision(100_000, 0.01, false, co)).toBe('now');
  });
});

describe('input for a shell that is not reading', () => {
  const lim: InputLimits = { perTerminal: 1000, total: 2500 };

  test('while the stream accepts, input is written straight through', () => {
    expect(admitInput(false, 0, 0, 10, lim)).toEqual({ action: 'write', slow: false });
    // Even a large paste: the stream takes it and says full afterwards.
    expect(admitInput(false, 0, 2400, 900, lim)).toEqual({ action: 'write', slow: false });
  });

  test('a full stream queues input up to the per-terminal allowance, asking the sender to slow down past half of it', () => {
    expect(admitInput(true, 100, 100, 100, lim)).toEqual({ action: 'queue', slow: false });
    expect(admitInput(true, 450, 450, 100, lim)).toEqual({ action: 'queue', slow: true });
    expect(admitInput(true, 900, 900, 100, lim)).toEqual({ action: 'queue', slow: true });
  });

  test('past the per-terminal allowance input is dropped and the sender told', () => {
    expect(admitInput(true, 950, 950, 100, lim)).toEqual({ action: 'drop', slow: true });
  });

  test('past the total over all terminals input is dropped even when this terminal holds little', () => {
    expect(admitInput(true, 0, 2450, 100, lim)).toEqual({ action: 'drop', slow: true });
  });

  test('the sender may go on once the terminal holds a quarter of its allowance or less', () => {
    expect(inputMayResume(251, lim)).toBe(false);
    expect(inputMayResume(250, lim)).toBe(true);
    expect(inputMayResume(0, lim)).toBe(true);
  });
});
