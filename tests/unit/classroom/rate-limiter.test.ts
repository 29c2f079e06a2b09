import { RateLimiter } from '../../../server/classroom/rate-limiter';

describe('rate limiter', () => {
  test('allows max attempts per window per key, then refuses until the window slides', () => {
    const rl = new RateLimiter(3, 1000);
    expect([rl.hit('a', 0), rl.hit('a', 10), rl.hit('a', 20)]).toEqual([true, true, true]);
    expect(rl.hit('a', 30)).toBe(false);
    expect(rl.allowed('a', 999)).toBe(false);
    expect(rl.retryAfter('a', 500)).toBe(500);
    expect(rl.hit('b', 30)).toBe(true); // other keys are not affected
    expect(rl.allowed('a', 1001)).toBe(true); // the first attempt left the window
    expect(rl.retryAfter('a', 1001)).toBe(0);
  });

  test('a refused attempt is not counted, and reset forgets a key', () => {
    const rl = new RateLimiter(1, 1000);
    expect(rl.hit('a', 0)).toBe(true);
    for (let t = 1; t < 100; t++) expect(rl.hit('a', t)).toBe(false);
    expect(rl.hit('a', 1001)).toBe(true);
    rl.reset('a');
    expect(rl.allowed('a', 1002)).toBe(true);
  });

  test('memory stays bounded however many keys are invented', () => {
    const rl = new RateLimiter(5, 60_000, 100);
    for (let i = 0; i < 10_000; i++) rl.hit(`addr-${i}`, 1000);
    expect((rl as unknown as { hits: Map<string, number[]> }).hits.size).toBeLessThanOrEqual(101);
  });
});
