import { nextCell } from '../../../client/src/logic/grid-keys';

test('arrows move one cell and stop at the edges', () => {
  expect(nextCell('ArrowRight', 0, 0, 3, 4)).toEqual({ row: 0, col: 1 });
  expect(nextCell('ArrowRight', 0, 3, 3, 4)).toEqual({ row: 0, col: 3 });
  expect(nextCell('ArrowLeft', 1, 0, 3, 4)).toEqual({ row: 1, col: 0 });
  expect(nextCell('ArrowDown', 2, 1, 3, 4)).toEqual({ row: 2, col: 1 });
  expect(nextCell('ArrowUp', 2, 1, 3, 4)).toEqual({ row: 1, col: 1 });
});

test('Home, End and paging', () => {
  expect(nextCell('Home', 1, 3, 3, 4)).toEqual({ row: 1, col: 0 });
  expect(nextCell('End', 1, 0, 3, 4)).toEqual({ row: 1, col: 3 });
  expect(nextCell('PageDown', 0, 2, 60, 15)).toEqual({ row: 10, col: 2 });
  expect(nextCell('PageUp', 5, 2, 60, 15)).toEqual({ row: 0, col: 2 });
});

test('other keys and empty grids do nothing', () => {
  expect(nextCell('a', 0, 0, 3, 4)).toBeNull();
  expect(nextCell('ArrowDown', 0, 0, 0, 4)).toBeNull();
  expect(nextCell('ArrowDown', -1, 0, 3, 4)).toBeNull();
});
