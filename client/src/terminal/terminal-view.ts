/**
 * One xterm.js terminal bound to one server terminal. Output arrives as raw
 * bytes (never decoded per chunk), is de-duplicated by byte offset, written to
 * xterm, and acknowledged in batches from xterm's write callback.
 */
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { Unicode11Addon } from '@xterm/addon-unicode11';
import { SearchAddon } from '@xterm/addon-search';
import type { AttachReply } from '../../../server/contracts/protocol';
import type { TerminalData } from '../../../server/contracts/terminal-data';
import { TerminalStream } from '../logic/terminal-stream';
import { AckBatcher } from '../logic/ack-batcher';
import { SizeTracker } from '../logic/resize';
import { inputPieces } from '../logic/input-pieces';
import { emitWithAck, getSocket } from '../socket';
import { chooseTerminalRenderer, type TerminalRenderer } from '../logic/terminal-renderer';
import { whenIdle } from '../idle';
import { copyText } from './clipboard';
import { darkTerminal, lightTerminal } from './themes';

export type TerminalStatus = 'attaching' | 'live' | 'watching' | 'ended' | 'error' | 'offline';

export interface TerminalViewOptions {
  sessionId: string;
  machine: string;
  terminalId: string;
  theme: 'dark' | 'light';
  onStatus?: (status: TerminalStatus, message?: string) => void;
  /**
   * 'watch': an instructor looking at a student's terminal. Attaches with
   * `terminal:watch`, never resizes the student's terminal, and types only
   * while taking over (setTyping).
   */
  mode?: 'own' | 'watch';
}

export class TerminalView {
  readonly term: Terminal;
  readonly search: SearchAddon;
  readonly element: HTMLDivElement;
  private readonly fit = new FitAddon();
  private readonly stream = new TerminalStream();
  private readonly acks: AckBatcher;
  private readonly size = new SizeTracker();
  private readonly ro: ResizeObserver;
  private fitFrame = 0;
  private attachSeq = 0;
  private disposed = false;
  private readonly cancelWebgl: () => void;
  status: TerminalStatus = 'attaching';
  owner = true;
  /** Watch mode: the instructor has taken over and may type. */
  private typing = false;

  constructor(
    parent: HTMLElement,
    readonly opts: TerminalViewOptions,
  ) {
    this.element = document.createElement('div');
    this.element.className = 'xterm-host';
    parent.appendChild(this.element);
    this.term = new Terminal({
      allowProposedApi: true,
      cursorBlink: true,
      fontFamily: 'ui-monospace, "Cascadia Mono", "DejaVu Sans Mono", Menlo, Consolas, monospace',
      fontSize: 14,
      scrollback: 5000,
      theme: opts.theme === 'dark' ? darkTerminal : lightTerminal,
      screenReaderMode: false,
    });
    this.search = new SearchAddon();
    this.term.loadAddon(this.fit);
    this.term.loadAddon(new WebLinksAddon());
    this.term.loadAddon(new Unicode11Addon());
    this.term.unicode.activeVersion = '11';
    this.term.loadAddon(this.search);
    this.term.open(this.element);
    this.term.textarea?.setAttribute('aria-label', `Terminal of machine ${opts.machine}`);
    // After the first output is drawn: WebGL's setup would hold the page that long before the prompt.
    this.cancelWebgl = whenIdle(() => void this.loadWebgl());

    this.acks = new AckBatcher({
      send: (bytes) => {
        const s = getSocket();
        if (s.connected) s.emit('terminal:ack', { sessionId: opts.sessionId, terminalId: opts.terminalId, bytes });
      },
    });

    this.term.onData((data) => this.input(data));
    this.term.attachCustomKeyEventHandler((e) => this.keyHandler(e));
    this.ro = new ResizeObserver(() => this.scheduleFit());
    this.ro.observe(this.element);
    this.scheduleFit();
  }

  private async loadWebgl(): Promise<void> {
    try {
      if (detectRenderer() === 'dom') return;
      const { WebglAddon } = await import('@xterm/addon-webgl');
      if (this.disposed) return;
      const addon = new WebglAddon();
      addon.onContextLoss(() => addon.dispose());
      this.term.loadAddon(addon);
    } catch {
      /* the DOM renderer stays */
    }
  }

  private keyHandler(e: KeyboardEvent): boolean {
    if (e.type !== 'keydown') return true;
    if (e.ctrlKey && e.shiftKey && !e.altKey && !e.metaKey) {
      const k = e.key.toLowerCase();
      if (k === 'c') {
        const sel = this.term.getSelection();
        if (sel) void copyText(sel).then(() => this.term.focus());
        e.preventDefault(); // not the browser's inspector
        return false;
      }
      if (k === 'v') {
        // Let the browser paste into xterm's textarea (xterm handles the paste event).
        return false;
      }
      if (k === 'f') return false;
    }
    return true;
  }

  private input(data: string): void {
    if (!this.owner || this.status === 'ended') return;
    const s = getSocket();
    if (!s.connected) return; // never replay stale keystrokes after a reconnect
    // A paste larger than one message may be (BERTH_MAX_MESSAGE) would be refused whole: send it in pieces.
    for (const piece of inputPieces(data)) s.emit('terminal:input', { sessionId: this.opts.sessionId, terminalId: this.opts.terminalId, data: piece });
  }

  /** Type text as if the student had (used by Run buttons). */
  type(text: string): boolean {
    if (!this.owner || this.status === 'ended' || !getSocket().connected) return false;
    this.term.scrollToBottom();
    for (const piece of inputPieces(text)) getSocket().emit('terminal:input', { sessionId: this.opts.sessionId, terminalId: this.opts.terminalId, data: piece });
    return true;
  }

  private setStatus(status: TerminalStatus, message?: string): void {
    this.status = status;
    this.opts.onStatus?.(status, message);
  }

  /** Attach (or re-attach after a reconnect) from the byte count we already have. */
  async attach(): Promise<void> {
    if (this.disposed) return;
    const my = ++this.attachSeq;
    this.fitNow();
    const cols = Math.max(2, this.term.cols);
    const rows = Math.max(1, this.term.rows);
    this.acks.newGeneration();
    this.setStatus('attaching');
    const watch = this.opts.mode === 'watch';
    // terminal:watch has the same payload and reply shape (server/contracts/classroom.ts).
    const reply = await emitWithAck<AttachReply>(watch ? 'terminal:watch' : 'terminal:attach', {
      sessionId: this.opts.sessionId,
      machine: this.opts.machine,
      terminalId: this.opts.terminalId,
      from: this.stream.attachFrom(),
      cols,
      rows,
    }).catch((): AttachReply => ({ ok: false, error: 'The terminal did not answer in time.' }));
    if (my !== this.attachSeq || this.disposed) return;
    if (!reply.ok) {
      this.setStatus('error', reply.error ?? 'The terminal could not be opened.');
      return;
    }
    this.size.set(cols, rows);
    this.owner = watch ? this.typing : reply.owner !== false;
    this.term.options.disableStdin = !this.owner;
    this.setStatus(this.owner ? 'live' : 'watching');
  }

  /** Watch mode: start or stop sending keystrokes (the server has granted the takeover). */
  setTyping(on: boolean): void {
    this.typing = on;
    this.owner = on;
    this.term.options.disableStdin = !on;
    if (this.status === 'live' || this.status === 'watching') this.setStatus(on ? 'live' : 'watching');
    if (on) this.term.focus();
  }

  /** A `terminal:data` event for this terminal. */
  data(seq: number, data: TerminalData): void {
    const got = this.stream.accept(seq, data);
    if (!got) return;
    const n = got.bytes.byteLength;
    const gen = this.acks.generation;
    // Duplicates were never drawn but the server counted them as sent: ack them too.
    if (got.duplicate > 0) this.acks.written(got.duplicate, gen);
    if (n === 0) return;
    this.term.write(got.bytes, () => this.acks.written(n, gen));
  }

  reset(seq: number): void {
    this.term.reset();
    this.stream.reset(seq);
  }

  exited(reason: string): void {
    this.acks.flush();
    this.setStatus('ended', reason);
  }

  offline(): void {
    if (this.status !== 'ended') this.setStatus('offline');
  }

  /** Start over with an empty screen (the lab was reset: new machines, new shells). */
  restart(): void {
    this.term.reset();
    this.stream.clear();
  }

  /** Whole buffer as text (scrollback included); used by tests and diagnostics. */
  text(): string {
    const buf = this.term.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < buf.length; i++) {
      const line = buf.getLine(i);
      if (!line) continue;
      const s = line.translateToString(true);
      if (line.isWrapped && lines.length) lines[lines.length - 1] += s;
      else lines.push(s);
    }
    return lines.join('\n').replace(/\s+$/, '');
  }

  get bytes(): number {
    return this.stream.count;
  }

  setTheme(theme: 'dark' | 'light'): void {
    this.term.options.theme = theme === 'dark' ? darkTerminal : lightTerminal;
  }

  focus(): void {
    this.term.focus();
  }

  scheduleFit(): void {
    if (this.fitFrame) return;
    this.fitFrame = requestAnimationFrame(() => {
      this.fitFrame = 0;
      this.fitNow();
    });
  }

  private fitNow(): void {
    if (this.disposed) return;
    const el = this.element;
    if (!el.isConnected || el.clientWidth < 20 || el.clientHeight < 20) return;
    try {
      this.fit.fit();
    } catch {
      return;
    }
    // A watcher never resizes the student's terminal: the student's window decides.
    if ((this.status === 'live' || this.status === 'watching') && this.opts.mode !== 'watch') {
      if (this.size.update(this.term.cols, this.term.rows)) {
        const s = getSocket();
        if (s.connected) s.emit('terminal:resize', { sessionId: this.opts.sessionId, terminalId: this.opts.terminalId, cols: this.term.cols, rows: this.term.rows });
      }
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.cancelWebgl();
    cancelAnimationFrame(this.fitFrame);
    this.ro.disconnect();
    this.acks.dispose();
    const s = getSocket();
    if (s.connected) {
      if (this.opts.mode === 'watch') s.emit('terminal:unwatch', { sessionId: this.opts.sessionId, terminalId: this.opts.terminalId });
      else s.emit('terminal:detach', { sessionId: this.opts.sessionId, terminalId: this.opts.terminalId });
    }
    this.term.dispose();
    this.element.remove();
  }
}

let renderer: TerminalRenderer | null = null;

/** Asked once per page: a probe context costs ~15 ms, and a page holds only so many WebGL contexts. */
function detectRenderer(): TerminalRenderer {
  if (renderer) return renderer;
  const gl = document.createElement('canvas').getContext('webgl2');
  let name: string | null = null;
  if (gl) {
    const named = (value: unknown) => (typeof value === 'string' && value && value !== 'WebKit WebGL' ? value : null);
    // Firefox names the renderer in RENDERER (and warns about the extension); Chromium and Safari only in the extension.
    name = named(gl.getParameter(gl.RENDERER));
    if (!name) {
      const info = gl.getExtension('WEBGL_debug_renderer_info');
      if (info) name = named(gl.getParameter(info.UNMASKED_RENDERER_WEBGL));
    }
    gl.getExtension('WEBGL_lose_context')?.loseContext();
  }
  renderer = chooseTerminalRenderer(gl !== null, name);
  return renderer;
}
