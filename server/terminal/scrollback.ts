/**
 * The last `capacity` bytes of a terminal, addressed by sequence number (the
 * byte offset since the shell started). A client that reconnects says which
 * sequence it has reached and gets exactly the bytes after it, so output is
 * neither doubled (Play with Docker #477) nor lost.
 *
 * Memory grows with the output instead of being allocated whole: most
 * terminals print a prompt and a few commands, and a class has dozens of them.
 * Bytes live in blocks that start small and double up to BLOCK_MAX; a large
 * chunk from the shell becomes a block of its own without being copied.
 * Blocks are never written again once sealed and never reused, so a view
 * handed to a socket (`readContiguous`) stays valid while the socket holds it.
 */
const BLOCK_MIN = 4 * 1024;
const BLOCK_MAX = 64 * 1024;
/** Chunks at least this big are kept as they came rather than copied into a block. */
const ADOPT_MIN = 8 * 1024;

interface Block {
  /** Sequence number of buf[0]. */
  seq: number;
  buf: Buffer;
  used: number;
  /** Holds a chunk by reference, or was followed by one: nothing more is written into it. */
  sealed: boolean;
}

export class Scrollback {
  private blocks: Block[] = [];
  /** Sequence number of the next byte to be appended. */
  private head = 0;
  private nextBlockSize = BLOCK_MIN;

  constructor(private readonly capacity: number) {
    if (!(capacity > 0)) throw new Error(`scrollback capacity must be positive, not ${capacity}`);
  }

  get end(): number {
    return this.head;
  }

  /** Oldest sequence still held. */
  get start(): number {
    const first = this.blocks[0];
    return Math.max(first ? first.seq : this.head, this.head - this.capacity);
  }

  /** Bytes of memory the blocks take (for tests and metrics): about `capacity` at most, plus one block. */
  get allocated(): number {
    return this.blocks.reduce((n, b) => n + b.buf.length, 0);
  }

  /** Keeps large chunks by reference: the caller must not change `chunk` afterwards. */
  append(chunk: Buffer): void {
    let data = chunk;
    if (data.length >= this.capacity) {
      // Everything held so far falls out of the window: keep only the tail of this chunk.
      this.head += data.length - this.capacity;
      // A copy, so the tail does not keep the whole chunk alive.
      data = Buffer.from(data.subarray(data.length - this.capacity));
      this.blocks = [];
    }
    if (!data.length) return;
    const last = this.blocks[this.blocks.length - 1];
    if (data.length >= ADOPT_MIN) {
      if (last) last.sealed = true;
      this.blocks.push({ seq: this.head, buf: data, used: data.length, sealed: true });
      this.head += data.length;
    } else {
      let offset = 0;
      let block = last && !last.sealed && last.used < last.buf.length ? last : undefined;
      while (offset < data.length) {
        if (!block) {
          const size = Math.min(this.nextBlockSize, this.capacity);
          this.nextBlockSize = Math.min(this.nextBlockSize * 2, BLOCK_MAX);
          block = { seq: this.head, buf: Buffer.allocUnsafe(size), used: 0, sealed: false };
          this.blocks.push(block);
        }
        const n = data.copy(block.buf, block.used, offset, offset + Math.min(data.length - offset, block.buf.length - block.used));
        block.used += n;
        offset += n;
        this.head += n;
        if (block.used === block.buf.length) block = undefined;
      }
    }
    this.evict();
  }

  /** Drops blocks whose every byte is older than the window. */
  private evict(): void {
    const oldest = this.head - this.capacity;
    let drop = 0;
    while (drop < this.blocks.length - 1 && this.blocks[drop].seq + this.blocks[drop].used <= oldest) drop++;
    if (drop) this.blocks.splice(0, drop);
  }

  private blockIndex(seq: number): number {
    // Few blocks (capacity / 4 KiB at most): a binary search keeps this cheap for large windows.
    let lo = 0;
    let hi = this.blocks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.blocks[mid].seq <= seq) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /**
   * Bytes from `from` up to at most `max` bytes, without copying: the data
   * ends where the block holding `from` ends, so a caller loops for more.
   * When `from` fell out of the buffer, `gap` is true and the data starts at
   * `start` instead.
   */
  readContiguous(from: number, max = Infinity): { seq: number; data: Buffer; gap: boolean } {
    const gap = from < this.start;
    const seq = Math.min(Math.max(from, this.start), this.head);
    const length = Math.min(this.head - seq, max);
    if (length <= 0 || !this.blocks.length) return { seq, data: Buffer.alloc(0), gap };
    const block = this.blocks[this.blockIndex(seq)];
    const at = seq - block.seq;
    return { seq, data: block.buf.subarray(at, Math.min(block.used, at + length)), gap };
  }

  /** Like `readContiguous`, but the whole range in one buffer (copied only when it spans blocks). */
  read(from: number, max = Infinity): { seq: number; data: Buffer; gap: boolean } {
    const first = this.readContiguous(from, max);
    const length = Math.min(this.head - first.seq, max);
    if (first.data.length >= length) return first;
    const parts = [first.data];
    let got = first.data.length;
    while (got < length) {
      const next = this.readContiguous(first.seq + got, length - got).data;
      if (!next.length) break;
      parts.push(next);
      got += next.length;
    }
    return { seq: first.seq, data: Buffer.concat(parts, got), gap: first.gap };
  }
}
