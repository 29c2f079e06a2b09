/** Sends a terminal size only when it changed and is usable (no 0×0 shells). */
export class SizeTracker {
  private cols = 0;
  private rows = 0;

  /** Returns true when (cols, rows) should be sent to the server. */
  update(cols: number, rows: number): boolean {
    if (!Number.isInteger(cols) || !Number.isInteger(rows) || cols < 2 || rows < 1) return false;
    if (cols === this.cols && rows === this.rows) return false;
    this.cols = cols;
    this.rows = rows;
    return true;
  }

  /** After a re-attach the server got the size with the attach request. */
  set(cols: number, rows: number): void {
    this.cols = cols;
    this.rows = rows;
  }

  get size(): { cols: number; rows: number } {
    return { cols: this.cols, rows: this.rows };
  }
}
