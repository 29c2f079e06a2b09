/**
 * Watching a student's terminals read-only, one tab per terminal, and taking
 * one over. Reuses the lab page's TerminalView in watch mode: same byte
 * counting, acks and replay, but attached with `terminal:watch`, never
 * resizing the student's terminal, and typing only during a takeover the
 * server granted. A separate chunk: xterm loads only when Watch is pressed.
 */
import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { GridRow } from '../../../server/contracts/classroom';
import type { TerminalDataEvent, TerminalResetEvent } from '../../../server/contracts/protocol';
import { InputSlowNotice } from '../lab/term-overlay';
import { nextInputNotice, type InputNotice, type InputSlowEvent } from '../logic/input-notice';
import { getSocket } from '../socket';
import { getTheme } from '../theme';
import { TerminalView, type TerminalStatus } from '../terminal/terminal-view';
import { askInstructor } from './instructor-socket';
import { FormError } from './feedback';

export interface WatchPanelProps {
  session: NonNullable<GridRow['session']>;
  studentName: string;
  /** The grid says a takeover of this student is on (it ends when the student ends it). */
  takeoverActive: boolean;
  onClose: () => void;
}

function machineOf(terminalId: string): string {
  const colon = terminalId.indexOf(':');
  return colon < 0 ? terminalId : terminalId.slice(0, colon);
}

export function WatchPanel({ session, studentName, takeoverActive, onClose }: WatchPanelProps) {
  const terminals = session.terminals.length ? session.terminals : session.machines;
  const [tab, setTab] = useState(terminals[0] ?? '');
  const [status, setStatus] = useState<Record<string, { status: TerminalStatus; message?: string }>>({});
  const [typing, setTyping] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  /** Per terminal: the shell is not reading what the instructor types, or dropped some of it (`terminal:slow`, only while taking over). */
  const [notices, setNotices] = useState<Record<string, InputNotice | null>>({});
  const box = useRef<HTMLDivElement>(null);
  const views = useRef(new Map<string, TerminalView>());
  const typingRef = useRef<string | null>(null);
  typingRef.current = typing;

  useEffect(() => {
    const host = box.current;
    if (!host) return;
    const s = getSocket();
    const map = views.current;
    for (const id of terminals) {
      const v = new TerminalView(host, {
        sessionId: session.id,
        machine: machineOf(id),
        terminalId: id,
        theme: getTheme(),
        mode: 'watch',
        onStatus: (st, message) => setStatus((cur) => ({ ...cur, [id]: { status: st, message } })),
      });
      v.element.dataset.terminal = id;
      map.set(id, v);
    }
    const attachAll = () => {
      for (const v of map.values()) void v.attach();
    };
    const onData = (ev: TerminalDataEvent) => {
      if (ev.sessionId === session.id) map.get(ev.terminalId)?.data(ev.seq, ev.data);
    };
    const onReset = (ev: TerminalResetEvent) => {
      if (ev.sessionId === session.id) map.get(ev.terminalId)?.reset(ev.seq);
    };
    const onExit = (ev: { sessionId: string; terminalId: string; reason: string }) => {
      if (ev.sessionId === session.id) map.get(ev.terminalId)?.exited(ev.reason);
    };
    const onDisconnect = () => {
      for (const v of map.values()) v.offline();
    };
    const onSlow = (ev: InputSlowEvent & { sessionId: string; terminalId: string }) => {
      if (ev.sessionId === session.id) setNotices((cur) => ({ ...cur, [ev.terminalId]: nextInputNotice(cur[ev.terminalId] ?? null, ev) }));
    };
    s.on('terminal:data', onData);
    s.on('terminal:slow', onSlow);
    s.on('terminal:reset', onReset);
    s.on('terminal:exit', onExit);
    s.on('connect', attachAll);
    s.on('disconnect', onDisconnect);
    if (s.connected) attachAll();
    // Read-only hook for the browser tests, as on the lab page.
    (window as unknown as { berth?: unknown }).berth = {
      terminalText: (id: string) => map.get(id)?.text() ?? null,
      terminalBytes: (id: string) => map.get(id)?.bytes ?? null,
    };
    return () => {
      // Leaving the page (or the student) while typing ends the takeover: the banner must not outlive us.
      if (typingRef.current) void askInstructor('terminal:takeover', { sessionId: session.id, terminalId: typingRef.current, active: false });
      delete (window as unknown as { berth?: unknown }).berth;
      s.off('terminal:data', onData);
      s.off('terminal:slow', onSlow);
      s.off('terminal:reset', onReset);
      s.off('terminal:exit', onExit);
      s.off('connect', attachAll);
      s.off('disconnect', onDisconnect);
      for (const v of map.values()) v.dispose();
      map.clear();
    };
  }, [session.id, terminals.join(',')]);

  useEffect(() => {
    for (const [id, v] of views.current) {
      v.element.classList.toggle('active', id === tab);
      v.element.setAttribute('aria-hidden', id === tab ? 'false' : 'true');
      if (id === tab) v.scheduleFit();
    }
  }, [tab, terminals.join(',')]);

  // The student ended the takeover (or it ended elsewhere): stop sending keys.
  useEffect(() => {
    if (!takeoverActive && typing) {
      views.current.get(typing)?.setTyping(false);
      setTyping(null);
    }
  }, [takeoverActive]);

  const takeover = async (active: boolean) => {
    setError(null);
    const id = active ? tab : typing;
    if (!id) return;
    const r = await askInstructor('terminal:takeover', { sessionId: session.id, terminalId: id, active });
    if (!r.ok) {
      setError(r.error ?? 'The takeover was refused.');
      return;
    }
    views.current.get(id)?.setTyping(active);
    setTyping(active ? id : null);
  };

  const close = async () => {
    if (typing) await takeover(false);
    onClose();
  };

  const st = status[tab];
  return (
    <section class={`watch ${typing ? 'typing' : ''}`} aria-label={`Terminals of ${studentName}`}>
      <div class="tabs" role="tablist" aria-label={`Terminals of ${studentName}`}>
        {terminals.map((id) => (
          <button type="button" role="tab" class={`tab ${id === tab ? 'selected' : ''}`} aria-selected={id === tab} data-terminal={id} onClick={() => setTab(id)}>
            <span aria-hidden="true" class="tab-icon">
              ›_
            </span>{' '}
            {id}
          </button>
        ))}
        <span class="spacer" />
        {typing ? (
          <button type="button" class="btn small danger" onClick={() => void takeover(false)}>
            End takeover
          </button>
        ) : (
          <button type="button" class="btn small" disabled={!st || (st.status !== 'watching' && st.status !== 'live')} onClick={() => void takeover(true)} title={`Type into ${studentName}'s terminal; they see a banner meanwhile`}>
            Take over
          </button>
        )}
        <button type="button" class="btn small ghost" onClick={() => void close()}>
          Stop watching
        </button>
      </div>
      {typing ? (
        <p class="takeover-note" role="status">
          You are typing in {studentName}’s terminal {typing}. They see “Your instructor is typing”.
        </p>
      ) : (
        <p class="muted small" role="status">
          Watching {studentName} read-only{st?.status === 'attaching' ? ': connecting…' : st?.status === 'error' || st?.status === 'ended' ? `: ${st.message ?? st.status}` : ''}.
        </p>
      )}
      <FormError error={error} />
      {typing && notices[typing] ? <InputSlowNotice notice={notices[typing]!} onDismiss={() => setNotices((cur) => ({ ...cur, [typing]: null }))} /> : null}
      <div class="watch-terminals terminals shown" ref={box} role="tabpanel" aria-label={`Terminal ${tab}`} />
    </section>
  );
}
