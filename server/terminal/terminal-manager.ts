import { UNSEEN_TERMINAL_SIZE, type BackendState, type LabBackend, type TerminalSize } from '../backend/lab-backend';
import type { BerthConfig } from '../config';
import { InputAccount, Terminal, type TerminalViewer } from './terminal';

/** Attaching would open a shell past BERTH_TERMINALS_PER_MACHINE or _PER_SESSION. */
export class TerminalLimitError extends Error {}

/**
 * Every open terminal, keyed by session and terminal id. A terminal outlives a
 * page reload (the viewer re-attaches and gets exactly what it missed) but not
 * a departure: with no viewer for `graceMs` its shell is ended in the machine.
 */
export class TerminalManager {
  private readonly terminals = new Map<string, Terminal>();
  /** Shells being opened, with their machine: the terminal id is the student's to choose, so it cannot say. */
  private readonly opening = new Map<string, { pending: Promise<Terminal>; machine: string }>();
  private readonly graceTimers = new Map<string, NodeJS.Timeout>();
  private promptListeners: Array<(sessionId: string, machine: string) => void> = [];
  private inputListeners: Array<(sessionId: string) => void> = [];
  private byteListeners: Array<(sessionId: string, direction: 'in' | 'out', bytes: number) => void> = [];
  /** Input held for shells that are not reading, over every terminal (bounded by BERTH_INPUT_QUEUE_TOTAL). */
  readonly inputAccount = new InputAccount();

  constructor(
    private readonly backend: LabBackend,
    private readonly config: BerthConfig,
    private readonly graceMs = 10 * 60_000,
  ) {}

  private key(sessionId: string, terminalId: string): string {
    return `${sessionId}/${terminalId}`;
  }

  /** A student's command has probably finished (output went quiet after Enter). */
  onPromptReturn(listener: (sessionId: string, machine: string) => void): void {
    this.promptListeners.push(listener);
  }

  onInput(listener: (sessionId: string) => void): void {
    this.inputListeners.push(listener);
  }

  /** Bytes through terminals (metrics): 'out' from the shell, 'in' from the student. */
  onBytes(listener: (sessionId: string, direction: 'in' | 'out', bytes: number) => void): void {
    this.byteListeners.push(listener);
  }

  get(sessionId: string, terminalId: string): Terminal | undefined {
    return this.terminals.get(this.key(sessionId, terminalId));
  }

  async attach(
    sessionId: string,
    state: BackendState,
    terminalId: string,
    machine: string,
    viewer: TerminalViewer,
    from: number,
    size: TerminalSize,
  ): Promise<Terminal> {
    const key = this.key(sessionId, terminalId);
    let terminal = this.terminals.get(key);
    if (terminal && (terminal.machine !== machine || !(await terminal.stillRunning()))) {
      // The shell exited (the student typed `exit`, or its machine went away without its stream
      // ending): a fresh shell, a fresh byte stream. Another attach may have replaced it meanwhile.
      if (this.terminals.get(key) === terminal) this.terminals.delete(key);
      // Its shell has already ended; closing only tidies up, and a new shell is opened below either way.
      await terminal.close().catch(() => undefined);
      terminal = undefined;
      if (from > 0) viewer.reset(0);
      from = 0;
    }
    if (!terminal) {
      let pending = this.opening.get(key)?.pending;
      if (!pending) {
        this.checkCap(sessionId, machine);
        pending = this.open(sessionId, state, terminalId, machine, size);
        this.opening.set(key, { pending, machine });
        // The open's failure reaches the caller through `await pending`; this chain only tidies the map.
        pending.finally(() => this.opening.delete(key)).catch(() => undefined);
      }
      terminal = await pending;
    }
    const timer = this.graceTimers.get(key);
    if (timer) {
      clearTimeout(timer);
      this.graceTimers.delete(key);
    }
    if (from > terminal.end) {
      // The client is ahead of us: the server restarted and this is a new shell.
      viewer.reset(0);
      from = 0;
    }
    terminal.attach(viewer, from);
    if (viewer.owner && (terminal.size?.cols !== size.cols || terminal.size?.rows !== size.rows)) {
      // A terminal opened before this page (pre-opened, or by another tab) has another size: the page's
      // first command must already see its own, so the reply waits for it, for a second at most.
      await Promise.race([terminal.resize(viewer.id, size.cols, size.rows), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
    }
    return terminal;
  }

  /** Refuses a new shell past the caps, with a message the student can act on. */
  private checkCap(sessionId: string, machine: string): void {
    const { maxPerMachine, maxPerSession } = this.config.terminal;
    let inSession = 0;
    let onMachine = 0;
    const prefix = `${sessionId}/`;
    for (const [key, t] of this.terminals) {
      if (!key.startsWith(prefix) || !t.alive) continue;
      inSession++;
      if (t.machine === machine) onMachine++;
    }
    for (const [key, opening] of this.opening) {
      if (!key.startsWith(prefix)) continue;
      inSession++;
      if (opening.machine === machine) onMachine++;
    }
    if (maxPerMachine && onMachine >= maxPerMachine) {
      throw new TerminalLimitError(`${machine} already has ${onMachine} terminals open (the most allowed is ${maxPerMachine}): close one first.`);
    }
    if (maxPerSession && inSession >= maxPerSession) {
      throw new TerminalLimitError(`This lab already has ${inSession} terminals open (the most allowed is ${maxPerSession}): close one first.`);
    }
  }

  private async open(sessionId: string, state: BackendState, terminalId: string, machine: string, size: TerminalSize): Promise<Terminal> {
    const shell = await this.backend.openShell(state, machine, size);
    shell.onData((chunk) => this.byteListeners.forEach((l) => l(sessionId, 'out', chunk.length)));
    const { scrollbackBytes, highWatermark, lowWatermark, inputQueueBytes, inputQueueTotalBytes } = this.config.terminal;
    const terminal = new Terminal(
      this.key(sessionId, terminalId),
      machine,
      shell,
      scrollbackBytes,
      { high: highWatermark, low: lowWatermark, chunk: 64 * 1024 },
      { input: { perTerminal: inputQueueBytes, total: inputQueueTotalBytes }, account: this.inputAccount },
    );
    terminal.size = size;
    terminal.onQuietAfterEnter(() => this.promptListeners.forEach((l) => l(sessionId, machine)));
    this.terminals.set(this.key(sessionId, terminalId), terminal);
    return terminal;
  }

  /**
   * Opens a machine's main terminal (id = machine name) before the page asks
   * for it, so its shell has started and printed the prompt by the time the
   * page attaches; the page attaches from byte 0 and gets the prompt from the
   * scrollback. Past the caps, or if it is already open, it does nothing. With
   * nobody watching it ends after the same grace as a terminal its viewer left,
   * so a Start nobody looks at leaves no shell behind.
   */
  preopen(sessionId: string, state: BackendState, machine: string, size: TerminalSize = UNSEEN_TERMINAL_SIZE): Promise<void> {
    const key = this.key(sessionId, machine);
    if (this.terminals.has(key) || this.opening.has(key)) return Promise.resolve();
    try {
      this.checkCap(sessionId, machine);
    } catch {
      return Promise.resolve(); // at the cap: nothing opened ahead; the page's own attach is refused with the reason
    }
    const pending = this.open(sessionId, state, machine, machine, size);
    this.opening.set(key, { pending, machine });
    return pending
      .then((terminal) => {
        // Runs before an attach that joined this opening: that attach clears the timer again.
        if (terminal.viewerCount() === 0) this.startGrace(key, terminal);
      })
      .finally(() => this.opening.delete(key));
  }

  /** Whether any terminal of the session is open or opening. */
  /** Ids of the session's open terminals (a machine's first is named after it, more are "machine:2", …). */
  ids(sessionId: string): string[] {
    const prefix = `${sessionId}/`;
    return [...this.terminals.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
  }

  hasTerminals(sessionId: string): boolean {
    const prefix = `${sessionId}/`;
    for (const key of this.terminals.keys()) if (key.startsWith(prefix)) return true;
    for (const key of this.opening.keys()) if (key.startsWith(prefix)) return true;
    return false;
  }

  /** Text typed by Berth itself (a visible setup step) into the machine's main terminal. */
  typeInto(sessionId: string, machine: string, text: string): boolean {
    const terminal = this.get(sessionId, machine);
    if (!terminal?.alive) return false;
    terminal.write(text);
    return true;
  }

  input(sessionId: string, terminalId: string, viewerId: string, data: string): boolean {
    const ok = this.get(sessionId, terminalId)?.input(viewerId, data) ?? false;
    if (ok) this.inputListeners.forEach((l) => l(sessionId));
    if (ok) this.byteListeners.forEach((l) => l(sessionId, 'in', Buffer.byteLength(data)));
    return ok;
  }

  detach(sessionId: string, terminalId: string, viewerId: string): void {
    const key = this.key(sessionId, terminalId);
    const terminal = this.terminals.get(key);
    if (!terminal) return;
    terminal.detach(viewerId);
    if (terminal.viewerCount() === 0) this.startGrace(key, terminal);
  }

  /** With no viewer for `graceMs`, the terminal's shell is ended. */
  private startGrace(key: string, terminal: Terminal): void {
    if (this.graceTimers.has(key)) return;
    const timer = setTimeout(() => {
      this.graceTimers.delete(key);
      if (terminal.viewerCount() === 0 && this.terminals.get(key) === terminal) void this.closeOne(key);
    }, this.graceMs);
    timer.unref();
    this.graceTimers.set(key, timer);
  }

  /** Ends the shell for good (the student closed the tab of that terminal). */
  async close(sessionId: string, terminalId: string): Promise<void> {
    await this.closeOne(this.key(sessionId, terminalId));
  }

  private async closeOne(key: string): Promise<void> {
    const terminal = this.terminals.get(key);
    this.terminals.delete(key);
    const timer = this.graceTimers.get(key);
    if (timer) clearTimeout(timer);
    this.graceTimers.delete(key);
    // Forgotten already: a shell that fails to close ends with its machine or the next endStaleShells.
    await terminal?.close().catch(() => undefined);
  }

  async closeSession(sessionId: string): Promise<void> {
    const keys = [...this.terminals.keys()].filter((k) => k.startsWith(`${sessionId}/`));
    await Promise.all(keys.map((k) => this.closeOne(k)));
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.terminals.keys()].map((k) => this.closeOne(k)));
  }

  count(): number {
    return this.terminals.size;
  }
}
