/**
 * The terminal's flow-control and coalescing decisions, as pure functions so
 * each rule can be tested on its own (tests/unit/server/terminal-flow-control).
 * Terminal applies them; nothing here touches a stream or a clock.
 *
 * Output: the shell is read only as fast as its owner's browser draws.
 * Bytes sent but not yet acknowledged (plus what waits in the socket) are
 * "in flight"; above `high` the shell is paused (it then blocks in its pty)
 * and below `low` it is resumed. The gap between the two keeps the shell
 * from flapping between paused and running on every acknowledgement.
 *
 * Coalescing (wetty PR #425, the xterm.js flow-control guide): a byte that
 * follows a quiet moment (a keystroke's echo, a prompt) is sent at once;
 * output that keeps coming is gathered for a few milliseconds, or until a
 * message is full, and sent as one message, which costs the browser one
 * parse and one ack instead of dozens.
 *
 * Input: a shell that stops reading (a foreground `sleep`) must not make
 * Berth hold everything a browser sends. Input goes to the shell's stream
 * while it accepts; once its `write()` says full, input waits in a queue
 * bounded per terminal and in total, the sender is told to slow down, and
 * what does not fit is dropped (and counted) rather than held.
 */

export interface OutputLimits {
  /** Pause the shell at this many bytes in flight to the owner. */
  high: number;
  /** Resume it at or below this many. */
  low: number;
  /** Largest single message to a viewer. */
  chunk: number;
}

/**
 * How many bytes a viewer may be sent now (0: wait for an ack or a drained
 * socket). Below `high` a whole message goes, so the window overshoots by one
 * message at most rather than ending in a tail of tiny ones.
 */
export function sendBudget(inFlight: number, limits: OutputLimits): number {
  return inFlight >= limits.high ? 0 : limits.chunk;
}

/**
 * Pause or resume the shell given the largest backlog among its owners.
 * Watchers never count: a slow instructor screen is skipped ahead instead.
 */
export function pauseDecision(paused: boolean, worstInFlight: number, limits: OutputLimits): 'pause' | 'resume' | 'hold' {
  if (!paused && worstInFlight >= limits.high) return 'pause';
  if (paused && worstInFlight <= limits.low) return 'resume';
  return 'hold';
}

export interface CoalesceLimits {
  /** Output after this long a silence is sent at once. */
  quietMs: number;
  /** Longest a busy stream's bytes wait to be gathered into one message. */
  batchMs: number;
  /** Send as soon as this many bytes are pending, whatever the timing. */
  maxBatch: number;
}

export const DEFAULT_COALESCE: CoalesceLimits = { quietMs: 5, batchMs: 3, maxBatch: 64 * 1024 };

/**
 * When new output should go out. `pending` counts the bytes not yet sent
 * (including this chunk); `sinceLastOutputMs` is the time since the chunk
 * before this one (Infinity for the first); `typedSinceSend`: the student
 * typed since output last went out, so this is most likely an echo, and a
 * fast typist's echoes must not wait for each other.
 */
export function coalesceDecision(pending: number, sinceLastOutputMs: number, typedSinceSend: boolean, limits: CoalesceLimits): 'now' | 'later' {
  if (pending >= limits.maxBatch) return 'now';
  if (typedSinceSend) return 'now';
  if (sinceLastOutputMs >= limits.quietMs) return 'now';
  return 'later';
}

export interface InputLimits {
  /** Bytes one terminal may hold for a shell that is not reading. */
  perTerminal: number;
  /** Bytes all terminals together may hold. */
  total: number;
}

export interface InputVerdict {
  action: 'write' | 'queue' | 'drop';
  /** Tell the sender to slow down (its next input may be dropped). */
  slow: boolean;
}

/**
 * What to do with `size` bytes of input. `blocked`: the shell's stream said
 * full and has not drained yet; `held`: bytes this terminal holds for the
 * shell (the write that filled the stream and the queue behind it);
 * `totalHeld`: the same over every terminal.
 */
export function admitInput(blocked: boolean, held: number, totalHeld: number, size: number, limits: InputLimits): InputVerdict {
  if (!blocked) return { action: 'write', slow: false };
  if (held + size > limits.perTerminal || totalHeld + size > limits.total) return { action: 'drop', slow: true };
  return { action: 'queue', slow: held + size > limits.perTerminal / 2 };
}

/** A sender told to slow down may go on once the terminal holds at most a quarter of its allowance. */
export function inputMayResume(held: number, limits: InputLimits): boolean {
  return held <= limits.perTerminal / 4;
}
