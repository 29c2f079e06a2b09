/**
 * The terminals of one session: one TerminalView per machine, socket events
 * routed to them by terminal id, re-attached (from their byte counts) after
 * every reconnect.
 */
import type { TerminalDataEvent, TerminalResetEvent } from '../../../server/contracts/protocol';
import { getSocket } from '../socket';
import { TerminalView, type TerminalStatus } from '../terminal/terminal-view';

export interface HubListener {
  (machine: string, status: TerminalStatus, message?: string): void;
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
        this.attachedEpoch.delete(v.opts.machine);
      }
    };
    s.on('terminal:data', onData);
    s.on('terminal:reset', onReset);
    s.on('terminal:exit', onExit);
    // Read-only hook for the browser tests and for support: the text a terminal shows.
    (window as unknown as { berth?: unknown }).berth = {
      terminalText: (machine: string) => this.views.get(machine)?.text() ?? null,
      terminalBytes: (machine: string) => this.views.get(machine)?.bytes ?? null,
      /** Drop the transport as a network hiccup would; socket.io reconnects by itself. */
      dropConnection: () => s.io.engine?.close(),
      renderer: (machine: string) => (this.views.get(machine)?.element.querySelector('canvas') ? 'webgl' : 'dom'),
    };
    this.offData = () => {
      delete (window as unknown as { berth?: unknown }).berth;
      s.off('terminal:data', onData);
      s.off('terminal:reset', onReset);
      s.off('terminal:exit', onExit);
    };
  }

  private byTerminal(terminalId: string): TerminalView | undefined {
    for (const v of this.views.values()) if (v.opts.terminalId === terminalId) return v;
    return undefined;
  }

  /** Create views for machines that do not have one yet. */
  ensure(machines: string[]): void {
    for (const m of machines) {
      if (this.views.has(m)) continue;
      const v = new TerminalView(this.container, {
        sessionId: this.sessionId,
        machine: m,
        terminalId: m,
        theme: this.theme,
        onStatus: (st, msg) => this.onStatus(m, st, msg),
      });
      v.element.dataset.machine = m;
      this.views.set(m, v);
    }
    if (!this.active || !this.views.has(this.active)) this.show(machines[0] ?? '');
    else this.show(this.active);
  }

  /** A (re)connected and watched socket: attach every terminal not attached in this epoch. */
  connected(): void {
    this.epoch += 1;
    this.attachAll();
  }

  attachAll(): void {
    if (!getSocket().connected) return;
    for (const [m, v] of this.views) {
      if (this.attachedEpoch.get(m) === this.epoch) continue;
      this.attachedEpoch.set(m, this.epoch);
      void v.attach();
    }
  }

  /** Re-open one terminal (after its shell ended or an attach error). */
  reopen(machine: string): void {
    const v = this.views.get(machine);
    if (!v || !getSocket().connected) return;
    this.attachedEpoch.set(machine, this.epoch);
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

  show(machine: string): void {
    this.active = machine;
    for (const [m, v] of this.views) {
      const on = m === machine;
      v.element.classList.toggle('active', on);
      v.element.setAttribute('aria-hidden', on ? 'false' : 'true');
      if (on) v.scheduleFit();
    }
  }

  focus(machine = this.active): void {
    this.views.get(machine)?.focus();
  }

  view(machine: string): TerminalView | undefined {
    return this.views.get(machine);
  }

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
