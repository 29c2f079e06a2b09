import { terminalDataBytes, type TerminalData } from '../../../server/contracts/terminal-data';

/**
 * Byte-count bookkeeping for one terminal's output stream.
 *
 * The server numbers every output byte of a terminal (seq = byte offset).
 * The client remembers how many bytes it has handed to xterm (`count`) and
 * asks for `from = count` when it (re)attaches, so a socket reconnect neither
 * doubles nor loses output. A page reload starts over with count 0 and the
 * server replays its scrollback once.
 */
export interface Accepted {
  /** Bytes to write to xterm (never decoded here; UTF-8 may straddle chunks). */
  bytes: Uint8Array;
  /** Bytes dropped because the client already had them. */
  duplicate: number;
  /** Bytes the server skipped (should not happen; reported for diagnostics). */
  gap: number;
}

export class TerminalStream {
  private written = 0;

  /** Number of bytes of this terminal already given to xterm. */
  get count(): number {
    return this.written;
  }

  /** The `from` to send with `terminal:attach`. */
  attachFrom(): number {
    return this.written;
  }

  /**
   * Takes one `terminal:data` chunk. Returns the part not seen before (maybe
   * empty when the whole chunk is a duplicate), or null for a malformed seq.
   * Duplicates still count as delivered for flow control: ack them.
   */
  accept(seq: number, data: TerminalData): Accepted | null {
    const bytes = terminalDataBytes(data);
    if (!Number.isFinite(seq) || seq < 0) return null;
    const end = seq + bytes.byteLength;
    if (end <= this.written) return { bytes: bytes.subarray(0, 0), duplicate: bytes.byteLength, gap: 0 };
    let gap = 0;
    let start = 0;
    if (seq > this.written) {
      gap = seq - this.written;
    } else {
      start = this.written - seq;
    }
    const fresh = start === 0 ? bytes : bytes.subarray(start);
    this.written = end;
    return { bytes: fresh, duplicate: start, gap };
  }

  /** `terminal:reset`: the caller clears xterm; counting continues from `seq`. */
  reset(seq: number): void {
    this.written = Math.max(0, Math.floor(seq));
  }

  /** Forget everything (a brand-new terminal, e.g. after the lab was reset). */
  clear(): void {
    this.written = 0;
  }
}
