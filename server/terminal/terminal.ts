import type { ShellStream } from '../backend/lab-backend';
import { Scrollback } from './scrollback';

/**
 * Whoever watches a terminal: a browser tab, an instructor, a test. The
 * terminal never sees a socket; the realtime layer adapts one to this.
 */
export interface TerminalViewer {
  readonly id: string;
  readonly owner: boolean;
  send(seq: number, data: Buffer): void;
  reset(seq: number): void;
  exit(reason: string): void;
  /** Bytes queued in the transport below us (the websocket's own buffer). */
  transportBacklog(): number;
}

export interface FlowLimits {
  high: number;
  low: number;
  /** Largest single message to a viewer. */
  chunk: number;
}

interface ViewerState {
  viewer: TerminalViewer;
  /** Next sequence to send this viewer. */
  sent: number;
  /** Sequence the viewer has acknowledged as drawn. */
  acked: number;
}

/**
 * One shell, its scrollback and its viewers. Output flows shell → scrollback
 * → each viewer at its own pace. The shell is paused while any owner has more
 * than `high` bytes unacknowledged (or queued in its socket) and resumed below
 * `low`: a `yes` flood then blocks in the machine's pty instead of growing
 * memory here, and Ctrl-C still reaches the shell because input is never paused.
 */
export class Terminal {
  private readonly scrollback: Scrollback;
  private readonly viewers = new Map<string, ViewerState>();
  private paused = false;
  private exited: string | null = null;
  lastOutputAt = 0;
  lastInputAt = 0;
  private quietListeners: Array<() => void> = [];
  private quietTimer: NodeJS.Timeout | null = null;
  private awaitingPrompt = false;

  constructor(
    readonly key: string,
    readonly machine: string,
    private readonly shell: ShellStream,
    scrollbackBytes: number,
    private readonly limits: FlowLimits,
  ) {
    this.scrollback = new Scrollback(scrollbackBytes);
    shell.onData((chunk) => this.onOutput(chunk));
    shell.onExit((reason) => {
      this.exited = reason;
      for (const v of this.viewers.values()) v.viewer.exit(reason);
    });
  }

  get alive(): boolean {
    return this.exited === null;
  }

  get end(): number {
    return this.scrollback.end;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  viewerCount(): number {
    return this.viewers.size;
  }

  /** Adds a viewer that already has every byte before `from`. */
  attach(viewer: TerminalViewer, from: number): void {
    const start = Math.min(Math.max(0, from), this.scrollback.end);
    if (start < this.scrollback.start) viewer.reset(this.scrollback.start);
    const begin = Math.max(start, this.scrollback.start);
    this.viewers.set(viewer.id, { viewer, sent: begin, acked: begin });
    this.pump();
    if (this.exited) viewer.exit(this.exited);
  }

  detach(viewerId: string): void {
    this.viewers.delete(viewerId);
    this.updatePause();
  }

  input(viewerId: string, data: string | Buffer): boolean {
    const state = this.viewers.get(viewerId);
    if (!state?.viewer.owner || !this.alive) return false;
    this.lastInputAt = Date.now();
    const text = typeof data === 'string' ? data : data.toString('utf8');
    if (text.includes('\r')) this.awaitingPrompt = true;
    this.shell.write(data);
    return true;
  }

  /** Input from Berth, not from a viewer. */
  write(data: string): void {
    if (this.alive) this.shell.write(data);
  }

  resize(viewerId: string, cols: number, rows: number): void {
    if (this.viewers.get(viewerId)?.viewer.owner) this.shell.resize({ cols, rows });
  }

  ack(viewerId: string, bytes: number): void {
    const state = this.viewers.get(viewerId);
    if (!state || !(bytes > 0)) return;
    state.acked = Math.min(state.sent, state.acked + bytes);
    this.pump();
  }

  /** Called when output goes quiet after the student pressed Enter: a command likely finished. */
  onQuietAfterEnter(listener: () => void): void {
    this.quietListeners.push(listener);
  }

  private pumping = false;
  private pumpAgain = false;

  /**
   * Sends each viewer what it may receive now. Re-entrant calls (a transport
   * that reports 'drain' from inside a send) are folded into the running loop,
   * so one message is always complete before the next begins.
   */
  pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        for (const state of this.viewers.values()) this.pumpViewer(state);
      } while (this.pumpAgain);
    } finally {
      this.pumping = false;
    }
    this.updatePause();
  }

  private pumpViewer(state: ViewerState): void {
    while (state.sent < this.scrollback.end) {
      const inFlight = state.sent - state.acked + state.viewer.transportBacklog();
      if (inFlight >= this.limits.high) return;
      const { seq, data, gap } = this.scrollback.read(state.sent, this.limits.chunk);
      if (gap) {
        // This viewer fell so far behind that its bytes were overwritten.
        state.viewer.reset(seq);
        state.acked = seq;
      }
      if (!data.length) return;
      state.sent = seq + data.length;
      state.viewer.send(seq, data);
    }
  }

  private onOutput(chunk: Buffer): void {
    this.lastOutputAt = Date.now();
    this.scrollback.append(chunk);
    this.pump();
    if (this.awaitingPrompt) {
      if (this.quietTimer) clearTimeout(this.quietTimer);
      this.quietTimer = setTimeout(() => {
        this.quietTimer = null;
        this.awaitingPrompt = false;
        for (const l of this.quietListeners) l();
      }, 400);
    }
  }

  private updatePause(): void {
    let worst = 0;
    for (const state of this.viewers.values()) {
      if (!state.viewer.owner) continue; // a slow watcher is skipped ahead by reset, never slows the student
      worst = Math.max(worst, this.scrollback.end - state.acked + state.viewer.transportBacklog());
    }
    if (!this.paused && worst >= this.limits.high) {
      this.paused = true;
      this.shell.pause();
    } else if (this.paused && worst <= this.limits.low) {
      this.paused = false;
      this.shell.resume();
    }
  }

  async close(): Promise<void> {
    if (this.quietTimer) clearTimeout(this.quietTimer);
    await this.shell.close();
  }
}
