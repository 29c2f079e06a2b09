// Over ~350 lines on purpose: one terminal's byte stream both ways (scrollback, output flow control per viewer,
// bounded input queue) shares its sequence numbers and its pause state; the decisions themselves are pure, in flow-control.ts.
import type { ShellStream, TerminalSize } from '../backend/lab-backend';
import { Scrollback } from './scrollback';
import {
  DEFAULT_COALESCE,
  admitInput,
  coalesceDecision,
  inputMayResume,
  pauseDecision,
  sendBudget,
  type CoalesceLimits,
  type InputLimits,
  type OutputLimits,
} from './flow-control';

/**
 * Whoever watches a terminal: a browser tab, an instructor, a test. The
 * terminal never sees a socket; the realtime layer adapts one to this.
 */
export interface TerminalViewer {
  readonly id: string;
  readonly owner: boolean;
  /** `data` is a view of the scrollback, valid as long as the transport holds it: send it, do not keep editing it. */
  send(seq: number, data: Buffer): void;
  reset(seq: number): void;
  exit(reason: string): void;
  /** Bytes queued in the transport below us (the websocket's own buffer). */
  transportBacklog(): number;
  /**
   * The shell is not taking this viewer's input as fast as it comes: `slow`
   * asks the sender to hold back; false says it may go on. `dropped` counts
   * bytes of input thrown away since the last notice.
   */
  inputSlow?(slow: boolean, dropped: number): void;
}

/** Whoever types and may be told to slow down: a viewer, or an instructor typing through a takeover. */
export type InputSender = Pick<TerminalViewer, 'id' | 'inputSlow'>;

export type FlowLimits = OutputLimits;

/** Input held for shells that do not read, summed over every terminal (one per TerminalManager). */
export class InputAccount {
  held = 0;
}

export interface TerminalOptions {
  coalesce?: CoalesceLimits;
  input?: InputLimits;
  account?: InputAccount;
}

interface ViewerState {
  viewer: TerminalViewer;
  /** Next sequence to send this viewer. */
  sent: number;
  /** Sequence the viewer has acknowledged as drawn. */
  acked: number;
}

const CTRL_C = '\x03';

/**
 * One shell, its scrollback and its viewers. Output flows shell → scrollback
 * → each viewer at its own pace (flow-control.ts holds the rules). The shell is
 * paused while any owner has too much unacknowledged, so a `yes` flood blocks
 * in the machine's pty instead of growing memory here, and Ctrl-C still
 * reaches the shell because input is never paused by output.
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

  private readonly coalesce: CoalesceLimits;
  /** performance.now() of the previous output chunk, for coalescing. */
  private lastChunkAt = -Infinity;
  /** scrollback.end when viewers were last pumped. */
  private pumpedTo = 0;
  private flushTimer: NodeJS.Timeout | null = null;
  /** Input arrived since viewers were last pumped: the next output is likely its echo. */
  private typedSincePump = false;

  private readonly inputLimits: InputLimits;
  private readonly account: InputAccount;
  /** The shell's stream said full; nothing more is written until it drains. */
  private inputBlocked = false;
  /** Size of the write that filled the stream (held by the stream until it drains). */
  private blockedWrite = 0;
  private readonly inputQueue: Array<{ data: string | Buffer; size: number }> = [];
  private queuedBytes = 0;
  private dropped = 0;
  /** Senders told to slow down and not yet told to go on. */
  private readonly slowed = new Map<string, InputSender>();

  constructor(
    readonly key: string,
    readonly machine: string,
    private readonly shell: ShellStream,
    scrollbackBytes: number,
    private readonly limits: FlowLimits,
    options: TerminalOptions = {},
  ) {
    this.scrollback = new Scrollback(scrollbackBytes);
    this.coalesce = options.coalesce ?? DEFAULT_COALESCE;
    this.inputLimits = options.input ?? { perTerminal: 1024 * 1024, total: 64 * 1024 * 1024 };
    this.account = options.account ?? new InputAccount();
    shell.onData((chunk) => this.onOutput(chunk));
    shell.onDrain?.(() => this.onInputDrain());
    shell.onExit((reason) => {
      this.exited = reason;
      this.releaseInput();
      for (const v of this.viewers.values()) v.viewer.exit(reason);
    });
  }

  /** `alive`, confirmed with the engine where the backend can ask it (one call: for attaching, not for every byte). */
  async stillRunning(): Promise<boolean> {
    if (!this.alive) return false;
    return this.shell.running ? this.shell.running() : true;
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

  /** Input bytes held for the shell (the filling write and the queue behind it). */
  get inputHeld(): number {
    return this.blockedWrite + this.queuedBytes;
  }

  /** Input bytes dropped since the last slow-down notice. */
  get inputDropped(): number {
    return this.dropped;
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
    this.slowed.delete(viewerId);
    this.updatePause();
  }

  /** Input from a viewer; false when it may not type here (not the owner, or the shell ended). */
  input(viewerId: string, data: string | Buffer): boolean {
    const state = this.viewers.get(viewerId);
    if (!state?.viewer.owner || !this.alive) return false;
    this.admit(state.viewer, data);
    return true;
  }

  /**
   * Input from an instructor who has taken the terminal over (the caller checked the takeover): typed like
   * the student's, and bounded like it, so a flood from an instructor's page cannot grow Berth without end.
   */
  takeoverInput(sender: InputSender, data: string | Buffer): boolean {
    if (!this.alive) return false;
    this.admit(sender, data);
    return true;
  }

  private admit(sender: InputSender, data: string | Buffer): void {
    this.lastInputAt = Date.now();
    this.typedSincePump = true;
    const text = typeof data === 'string' ? data : data.toString('utf8');
    if (text.includes('\r')) this.awaitingPrompt = true;
    const size = Buffer.byteLength(data);
    if (this.inputBlocked && text.includes(CTRL_C)) {
      // An interrupt jumps the queue: what waits behind a stuck program is what the student wants to stop.
      this.dropQueued();
      this.enqueue(data, size);
      return;
    }
    const verdict = admitInput(this.inputBlocked || this.inputQueue.length > 0, this.inputHeld, this.account.held, size, this.inputLimits);
    if (verdict.action === 'write') this.writeToShell(data, size);
    else if (verdict.action === 'queue') this.enqueue(data, size);
    else this.dropped += size;
    if (verdict.slow) this.tellSlow(sender);
  }

  /** Input from Berth, not from a viewer (a visible setup step): queued behind the student's, never dropped. */
  write(data: string): void {
    if (!this.alive) return;
    if (this.inputBlocked || this.inputQueue.length) this.enqueue(data, Buffer.byteLength(data));
    else this.writeToShell(data, Buffer.byteLength(data));
  }

  /** The size last asked of the shell (null: the one it was opened with is not known here). */
  size: TerminalSize | null = null;

  /** Settles once the shell has the size (or gave up on it); a non-owner's resize is ignored. */
  async resize(viewerId: string, cols: number, rows: number): Promise<void> {
    if (!this.viewers.get(viewerId)?.viewer.owner) return;
    this.size = { cols, rows };
    await this.shell.resize({ cols, rows });
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
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = null;
    }
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        this.pumpedTo = this.scrollback.end;
        this.typedSincePump = false;
        for (const state of this.viewers.values()) this.pumpViewer(state);
      } while (this.pumpAgain);
    } finally {
      this.pumping = false;
    }
    this.updatePause();
  }

  private pumpViewer(state: ViewerState): void {
    while (state.sent < this.scrollback.end) {
      const budget = sendBudget(state.sent - state.acked + state.viewer.transportBacklog(), this.limits);
      if (!budget) return;
      // A view of the scrollback, not a copy: the one copy made of each byte is into the scrollback.
      const { seq, data, gap } = this.scrollback.readContiguous(state.sent, budget);
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
    const now = performance.now();
    const since = now - this.lastChunkAt;
    this.lastChunkAt = now;
    this.lastOutputAt = Date.now();
    this.scrollback.append(chunk);
    if (coalesceDecision(this.scrollback.end - this.pumpedTo, since, this.typedSincePump, this.coalesce) === 'now') {
      this.pump();
    } else {
      if (!this.flushTimer) this.flushTimer = setTimeout(() => this.pump(), this.coalesce.batchMs);
      // The bytes wait here, not in the shell: pause on them just the same.
      this.updatePause();
    }
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
    const decision = pauseDecision(this.paused, worst, this.limits);
    if (decision === 'pause') {
      this.paused = true;
      this.shell.pause();
    } else if (decision === 'resume') {
      this.paused = false;
      this.shell.resume();
    }
  }

  private writeToShell(data: string | Buffer, size: number): void {
    // `void` (a backend without backpressure) counts as accepted.
    if (this.shell.write(data) === false) {
      this.inputBlocked = true;
      this.blockedWrite = size;
      this.account.held += size;
    }
  }

  private enqueue(data: string | Buffer, size: number): void {
    this.inputQueue.push({ data, size });
    this.queuedBytes += size;
    this.account.held += size;
  }

  private dropQueued(): void {
    this.dropped += this.queuedBytes;
    this.account.held -= this.queuedBytes;
    this.queuedBytes = 0;
    this.inputQueue.length = 0;
  }

  private onInputDrain(): void {
    this.account.held -= this.blockedWrite;
    this.blockedWrite = 0;
    this.inputBlocked = false;
    while (!this.inputBlocked && this.inputQueue.length && this.alive) {
      const next = this.inputQueue.shift()!;
      this.queuedBytes -= next.size;
      this.account.held -= next.size;
      this.writeToShell(next.data, next.size);
    }
    if (this.slowed.size && inputMayResume(this.inputHeld, this.inputLimits)) {
      for (const sender of this.slowed.values()) sender.inputSlow?.(false, this.dropped);
      this.slowed.clear();
      this.dropped = 0;
    }
  }

  private tellSlow(sender: InputSender): void {
    if (this.slowed.has(sender.id)) return;
    this.slowed.set(sender.id, sender);
    sender.inputSlow?.(true, this.dropped);
  }

  private releaseInput(): void {
    this.dropQueued();
    this.account.held -= this.blockedWrite;
    this.blockedWrite = 0;
    this.inputBlocked = false;
  }

  async close(): Promise<void> {
    if (this.quietTimer) clearTimeout(this.quietTimer);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    this.releaseInput();
    await this.shell.close();
  }
}
