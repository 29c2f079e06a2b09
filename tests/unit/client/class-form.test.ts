import type { CatalogForInstructors } from '../../../server/contracts/classroom';
import { addSection, emptyForm, formFromClass, fromLocalInput, moveLab, toLocalInput, validateClassForm } from '../../../client/src/logic/class-form';

describe('validateClassForm', () => {
  test('a filled form becomes a ClassInput; empty limits mean the global defaults', () => {
    const { input, errors } = validateClassForm({
      ...emptyForm(),
      name: '  Docker 101 ',
      labs: ['first-container', 'images'],
      seats: '24',
      startsAt: '2026-12-01T09:00',
      endsAt: '2026-12-01T12:00',
      sessionMinutes: '90',
      allowRejoinByName: true,
    });
    expect(errors).toEqual({});
    expect(input).toEqual({
      name: 'Docker 101',
      labs: ['first-container', 'images'],
      seats: 24,
      startsAt: new Date(2026, 11, 1, 9, 0).getTime(),
      endsAt: new Date(2026, 11, 1, 12, 0).getTime(),
      limits: { maxRunning: null, sessionMinutes: 90, idleMinutes: null },
      allowRejoinByName: true,
    });
  });

  test('every bad field gets its own message', () => {
    const { input, errors } = validateClassForm({
      ...emptyForm(),
      name: ' ',
      labs: [],
      seats: '0',
      startsAt: '2026-12-01T09:00',
      endsAt: '2026-12-01T08:00',
      maxRunning: 'lots',
      sessionMinutes: '2',
      idleMinutes: '1.5',
    });
    expect(input).toBeNull();
    expect(Object.keys(errors).sort()).toEqual(['endsAt', 'idleMinutes', 'labs', 'maxRunning', 'name', 'seats', 'sessionMinutes']);
    expect(errors.endsAt).toBe('The end must be after the start.');
    expect(errors.seats).toMatch(/Seats/);
  });

  test('text that is not a date is refused', () => {
    expect(validateClassForm({ ...emptyForm(), name: 'x', labs: ['a'], startsAt: 'tomorrow' }).errors.startsAt).toBe('The start is not a date and time.');
  });
});

test('local date-time inputs round-trip', () => {
  const ms = new Date(2027, 0, 5, 7, 30).getTime();
  expect(toLocalInput(ms)).toBe('2027-01-05T07:30');
  expect(fromLocalInput('2027-01-05T07:30')).toBe(ms);
  expect(fromLocalInput('')).toBeNull();
  expect(toLocalInput(null)).toBe('');
});

test('formFromClass shows null limits as empty fields', () => {
  const f = formFromClass({
    id: 'c', name: 'N', labCount: 1, students: 0, seats: 10, running: 0, startsAt: null, endsAt: null, archived: false, openPractice: false,
    labs: ['a'], limits: { maxRunning: 5, sessionMinutes: null, idleMinutes: null }, allowRejoinByName: false,
    joinCode: { code: 'ABC', enabled: true, expiresAt: null, joinUrl: null }, instructors: [], prewarm: null, createdAt: 0,
  });
  expect(f).toMatchObject({ seats: '10', maxRunning: '5', sessionMinutes: '', startsAt: '' });
});

test('moving labs in the order', () => {
  expect(moveLab(['a', 'b', 'c'], 1, -1)).toEqual(['b', 'a', 'c']);
  expect(moveLab(['a', 'b', 'c'], 1, 1)).toEqual(['a', 'c', 'b']);
  expect(moveLab(['a', 'b'], 0, -1)).toEqual(['a', 'b']);
});

test('adding a section keeps its order and skips picked and unknown labs', () => {
  const catalog: CatalogForInstructors = {
    labs: ['a', 'b', 'c'].map((id) => ({ id, title: id, summary: '', minutes: 5, stepCount: 2, section: 'S' })),
    sections: [{ title: 'S', labs: ['c', 'ghost', 'a', 'b'] }],
  };
  expect(addSection(['b'], catalog, 'S')).toEqual(['b', 'c', 'a']);
  expect(addSection(['b'], catalog, 'nope')).toEqual(['b']);
});
