import { isInstructorRoute, parseRoute } from '../../../client/src/logic/routes';

test('student routes', () => {
  expect(parseRoute('')).toEqual({ name: 'catalog' });
  expect(parseRoute('#/')).toEqual({ name: 'catalog' });
  expect(parseRoute('#/session/abc_12-3')).toEqual({ name: 'session', id: 'abc_12-3' });
  expect(parseRoute('#/join/AB7-KQ2')).toEqual({ name: 'join', code: 'AB7-KQ2' });
  expect(parseRoute('#/join')).toEqual({ name: 'join', code: '' });
});

test('instructor routes, and which ones load the instructor chunk', () => {
  expect(parseRoute('#/setup/tok3n')).toEqual({ name: 'setup', token: 'tok3n' });
  expect(parseRoute('#/instructor')).toEqual({ name: 'instructor', path: [] });
  expect(parseRoute('#/instructor/classes/c%201/live')).toEqual({ name: 'instructor', path: ['classes', 'c 1', 'live'] });
  expect(parseRoute('#/instructorx')).toEqual({ name: 'catalog' });
  expect(isInstructorRoute(parseRoute('#/instructor/audit'))).toBe(true);
  expect(isInstructorRoute(parseRoute('#/setup/x'))).toBe(true);
  expect(isInstructorRoute(parseRoute('#/join/x'))).toBe(false);
  expect(isInstructorRoute(parseRoute('#/session/x'))).toBe(false);
});

test('a malformed escape does not throw', () => {
  expect(parseRoute('#/join/%E0%A4%A')).toEqual({ name: 'join', code: '' });
});
