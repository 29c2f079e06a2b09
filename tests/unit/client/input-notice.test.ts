import { inputNoticeText, nextInputNotice } from '../../../client/src/logic/input-notice';

test('slow: the student is told to wait; the notice goes once the shell reads again with nothing lost', () => {
  const slow = nextInputNotice(null, { slow: true, dropped: 0 });
  expect(slow).toEqual({ slow: true, dropped: 0 });
  expect(inputNoticeText(slow!)).toMatch(/not reading your input as fast as you send it/);
  expect(nextInputNotice(slow, { slow: false, dropped: 0 })).toBeNull();
});

test('input dropped meanwhile is reported when the shell reads again, and stays until dismissed', () => {
  const slow = nextInputNotice(null, { slow: true, dropped: 0 });
  const after = nextInputNotice(slow, { slow: false, dropped: 3 * 1024 * 1024 });
  expect(after).toEqual({ slow: false, dropped: 3 * 1024 * 1024 });
  expect(inputNoticeText(after!)).toBe('Some of your input was dropped while the program was busy (3.0 MiB). Check what was typed before you go on.');
  // A later episode that lost nothing does not hide what the earlier one lost.
  expect(nextInputNotice(after, { slow: false, dropped: 0 })).toBe(after);
  expect(inputNoticeText(nextInputNotice(null, { slow: true, dropped: 2048 })!)).toMatch(/^The program in this terminal is not reading your input, and some of it was dropped \(2 KiB\)/);
  expect(inputNoticeText({ slow: false, dropped: 1 })).toMatch(/\(1 byte\)/);
});
