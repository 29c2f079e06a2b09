/**
 * The last `capacity` bytes of a terminal, addressed by sequence number (the
 * byte offset since the shell started). A client that reconnects says which
 * sequence it has reached and gets exactly the bytes after it, so output is
 * neither doubled (Play with Docker #477) nor lost.
 */
export class Scrollback {
  private readonly buf: Buffer;
  /** Sequence number of the next byte to be appended. */
  private head = 0;

  constructor(private readonly capacity: number) {
    this.buf = Buffer.alloc(capacity);
  }

  get end(): number {
    return this.head;
  }

  /** Oldest sequence still held. */
  get start(): number {
    return Math.max(0, this.head - this.capacity);
  }

  append(chunk: Buffer): void {
    let data = chunk;
    if (data.length > this.capacity) {
      this.head += data.length - this.capacity;
      data = data.subarray(data.length - this.capacity);
    }
    const at = this.head % this.capacity;
    const first = Math.min(data.length, this.capacity - at);
    data.copy(this.buf, at, 0, first);
    if (first < data.length) data.copy(this.buf, 0, first);
    this.head += data.length;
  }

  /**
   * Bytes from `from` up to at most `max` bytes. When `from` fell out of the
   * buffer, `gap` is true and the data starts at `start` instead.
   */
  read(from: number, max = Infinity): { seq: number; data: Buffer; gap: boolean } {
    const gap = from < this.start;
    const seq = Math.min(Math.max(from, this.start), this.head);
    const length = Math.min(this.head - seq, max);
    if (length <= 0) return { seq, data: Buffer.alloc(0), gap };
    const at = seq % this.capacity;
    const first = Math.min(length, this.capacity - at);
    const out = Buffer.allocUnsafe(length);
    this.buf.copy(out, 0, at, at + first);
    if (first < length) this.buf.copy(out, first, 0, length - first);
    return { seq, data: out, gap };
  }
}
