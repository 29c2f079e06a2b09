import { plainText } from '../../../server/live/student-actions';

test('a hint as plain text for a notice banner: tags gone, entities read, spaces folded', () => {
  expect(plainText('<p>Use <code>touch</code> &amp; <em>ls</em>&nbsp;&lt;file&gt;</p>\n<p>again</p>')).toBe('Use touch & ls <file> again');
  expect(plainText('')).toBe('');
});
