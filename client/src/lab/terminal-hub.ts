/**
 * The terminals of one session: one TerminalView per terminal (each machine's
 * main one has the machine's name as its id; more are `machine:2`, …), socket
 * events routed to them by terminal id, re-attached (from their byte counts)
 * after every reconnect.
 */
import type { TerminalDataEvent, TerminalResetEvent } from '../../../server/contracts/protocol';
import { getSocket } from '../socket';
import { TerminalView, type TerminalStatus } from '../terminal/terminal-view';

export interface HubListener {
  (terminalId: string, status: TerminalStatus, message?: string): void;
}

/** `terminal:slow` for one terminal: the shell is not keeping up with this page's input (see logic/input-notice.ts). */
export interface InputSlowListener {
  (terminalId: string, ev: { slow: boolean; dropped: number }): void;
}

export interface TerminalRef {
  id: string;
  machine: string;
}

export class TerminalHub {
  private readonly views = new Map<string, TerminalView>();
  private readonly attachedEpoch = new Map<string, number>();
  private epoch = 0;
  private active = '';
  private readonly offData: () => void;

  constructor(
    readonly sessionId: string,
    private readonly container: HTMLElement,
    private theme: 'dark' | 'light',
    private readonly onStatus: HubListener,
    private readonly onInputSlow: InputSlowListener = () => undefined,
  ) {
    const s = getSocket();
    const onData = (ev: TerminalDataEvent) => {
      if (ev.sessionId === this.sessionId) this.byTerminal(ev.terminalId)?.data(ev.seq, ev.data);
    };
    const onReset = (ev: TerminalResetEvent) => {
      if (ev.sessionId === this.sessionId) this.byTerminal(ev.terminalId)?.reset(ev.seq);
    };
    const onExit = (ev: { sessionId: string; terminalId: string; reason: string }) => {
      if (ev.sessionId !== this.sessionId) return;
      const v = this.byTerminal(ev.terminalId);
      if (v) {
        v.exited(ev.reason);
        this.attachedEpoch.delete(v.opts.terminalId);
      }
    };
    const onSlow = (ev: { sessionId: string; terminalId: string; slow: boolean; dropped: number }) => {
      if (ev.sessionId === this.sessionId && this.views.has(ev.terminalId)) this.onInputSlow(ev.terminalId, { slow: ev.slow, dropped: ev.dropped });
    };
    s.on('terminal:data', onData);
    s.on('terminal:reset', onReset);
    s.on('terminal:exit', onExit);
    s.on('terminal:slow', onSlow);
    // Read-only hook for the browser tests and for support: the text a terminal shows.
    (window as unknown as { berth?: unknown }).berth = {
      terminalText: (terminalId: string) => this.views.get(terminalId)?.text() ?? null,
      terminalBytes: (terminalId: string) => this.views.get(terminalId)?.bytes ?? null,
      /** Drop the transport as a network hiccup would; socket.io reconnects by itself. */
      dropConnection: () => s.io.engine?.close(),
      renderer: (terminalId: string) => (this.views.get(terminalId)?.element.querySelector('canvas') ? 'webgl' : 'dom'),
    };
    this.offData = () => {
      delete (window as unknown as { berth?: unknown }).berth;
      s.off('terminal:data', onData);
      s.off('terminal:reset', onReset);
      s.off('terminal:exit', onExit);
      s.off('terminal:slow', onSlow);
    };
  }

  private byTerminal(terminalId: string): TerminalView | undefined {
    return this.views.get(terminalId);
  }

  /** Create views for terminals that do not have one yet. */
  ensure(terminals: TerminalRef[]): void {
    for (const t of terminals) {
      if (this.views.has(t.id)) continue;
      const v = new TerminalView(this.container, {
        sessionId: this.sessionId,
        machine: t.machine,
        terminalId: t.id,
        theme: this.theme,
        onStatus: (st, msg) => this.onStatus(t.id, st, msg),
      });
      v.element.dataset.machine = t.machine;
      v.element.dataset.terminal = t.id;
      this.views.set(t.id, v);
    }
    if (!this.active || !this.views.has(this.active)) this.show(terminals[0]?.id ?? '');
    else this.show(this.active);
  }

  /** Closes a terminal for good: its shell is ended in the machine. */
  close(terminalId: string): void {
    const v = this.views.get(terminalId);
    if (!v) return;
    getSocket().emit('terminal:close', { sessionId: this.sessionId, terminalId });
    v.dispose();
    this.views.delete(terminalId);
    this.attachedEpoch.delete(terminalId);
  }

  /** A (re)connected and watched socket: attach every terminal not attached in this epoch. */
  connected(): void {
    this.epoch += 1;
    this.attachAll();
  }

  attachAll(): void {
    if (!getSocket().connected) return;
    for (const [id, v] of this.views) {
      if (this.attachedEpoch.get(id) === this.epoch) continue;
      this.attachedEpoch.set(id, this.epoch);
      void v.attach();
    }
  }

  /** Re-open one terminal (after its shell ended or an attach error). */
  reopen(terminalId: string): void {
    const v = this.views.get(terminalId);
    if (!v || !getSocket().connected) return;
    this.attachedEpoch.set(terminalId, this.epoch);
    void v.attach();
  }

  disconnected(): void {
    this.attachedEpoch.clear();
    for (const v of this.views.values()) v.offline();
  }

  /** The lab was reset: new machines and shells, start every terminal from zero. */
  restartAll(): void {
    this.attachedEpoch.clear();
    for (const v of this.views.values()) v.restart();
  }

  show(terminalId: string): void {
    this.active = terminalId;
    for (const [id, v] of this.views) {
      const on = id === terminalId;
      v.element.classList.toggle('active', on);
      v.element.setAttribute('aria-hidden', on ? 'false' : 'true');
      if (on) v.scheduleFit();
    }
  }

  focus(terminalId = this.active): void {
    this.views.get(terminalId)?.focus();
  }

  view(terminalId: string): TerminalView | undefined {
    return this.views.get(terminalId);
  }

  /** Types into the machine's main terminal (the one named after the machine). */
  type(machine: string, text: string): boolean {
    const v = this.views.get(machine);
    if (!v) return false;
    const ok = v.type(text);
    v.focus();
    return ok;
  }

  fitAll(): void {
    for (const v of this.views.values()) v.scheduleFit();
  }

  setTheme(theme: 'dark' | 'light'): void {
    this.theme = theme;
    for (const v of this.views.values()) v.setTheme(theme);
  }

  dispose(): void {
    this.offData();
    for (const v of this.views.values()) v.dispose();
    this.views.clear();
  }
}
