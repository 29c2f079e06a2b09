import { newStudentId } from '../../../server/classroom/joining';

test('a student id is 12 url-safe characters and never begins with "-" or "_" (a formula to a spreadsheet, an option to a command line)', () => {
  // One in 32 base64url ids would begin so; ten thousand draws would all but surely show it.
  for (let i = 0; i < 10_000; i++) expect(newStudentId()).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]{11}$/);
});
