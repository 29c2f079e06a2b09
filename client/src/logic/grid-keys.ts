/** Keyboard movement in the class grid: arrows between cells, Home/End along a row, PageUp/PageDown by ten rows. */
export function nextCell(key: string, row: number, col: number, rows: number, cols: number): { row: number; col: number } | null {
  if (row < 0 || rows === 0 || cols === 0) return null;
  let r = row;
  let c = col;
  switch (key) {
    case 'ArrowRight':
      c++;
      break;
    case 'ArrowLeft':
      c--;
      break;
    case 'ArrowDown':
      r++;
      break;
    case 'ArrowUp':
      r--;
      break;
    case 'Home':
      c = 0;
      break;
    case 'End':
      c = cols - 1;
      break;
    case 'PageDown':
      r += 10;
      break;
    case 'PageUp':
      r -= 10;
      break;
    default:
      return null;
  }
  return { row: Math.max(0, Math.min(rows - 1, r)), col: Math.max(0, Math.min(cols - 1, c)) };
}
