import { SizeTracker } from '../../../client/src/logic/resize';

describe('SizeTracker', () => {
  test('sends only real changes and never a 0x0 size', () => {
    const t = new SizeTracker();
    expect(t.update(0, 0)).toBe(false);
    expect(t.update(80, 24)).toBe(true);
    expect(t.update(80, 24)).toBe(false);
    expect(t.update(120, 30)).toBe(true);
    expect(t.update(1, 30)).toBe(false);
    expect(t.update(80.5, 24)).toBe(false);
  });

  test('the size sent with an attach counts as sent', () => {
    const t = new SizeTracker();
    t.set(100, 40);
    expect(t.update(100, 40)).toBe(false);
    expect(t.size).toEqual({ cols: 100, rows: 40 });
  });
});
