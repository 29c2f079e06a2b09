/**
 * The session's terminals live outside Preact, in one TerminalHub per lab
 * page; this hook creates it, follows the theme, the window size and the
 * connection, and (re)attaches terminals when they or the connection change.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { getSocket } from '../socket';
import { getTheme, onTheme } from '../theme';
import type { TerminalStatus } from '../terminal/terminal-view';
import { nextInputNotice, type InputNotice } from '../logic/input-notice';
import { TerminalHub } from './terminal-hub';
import type { TerminalRef } from './terminal-ids';

export type TerminalStatuses = Record<string, { status: TerminalStatus; message?: string }>;

interface Options {
  sessionId: string;
  box: { current: HTMLDivElement | null };
  running: boolean;
  /**
   * The lab is queued or starting: its terminals are made now, hidden, so that
   * "running" only has to attach them (opening xterm took ~50 ms of the page's
   * time after "running" on the CI host).
   */
  starting: boolean;
  terminals: TerminalRef[];
  /** The server watches this session for us: terminals may attach. */
  watched: boolean;
  /** Bumped after a reset: attach everything again from zero. */
  attachGen: number;
}

export function useTerminalHub({ sessionId, box, running, starting, terminals, watched, attachGen }: Options) {
  const hub = useRef<TerminalHub | null>(null);
  const [statuses, setStatuses] = useState<TerminalStatuses>({});
  /** Per terminal: the shell is not keeping up with the input, or dropped some (`terminal:slow`). */
  const [inputNotices, setInputNotices] = useState<Record<string, InputNotice | null>>({});

  useEffect(() => {
    if (!box.current) return;
    const h = new TerminalHub(
      sessionId,
      box.current,
      getTheme(),
      (terminalId, status, message) => setStatuses((cur) => ({ ...cur, [terminalId]: { status, message } })),
      (terminalId, ev) => setInputNotices((cur) => ({ ...cur, [terminalId]: nextInputNotice(cur[terminalId] ?? null, ev) })),
    );
    hub.current = h;
    const offTheme = onTheme((t) => h.setTheme(t));
    const s = getSocket();
    const onDisconnect = () => h.disconnected();
    s.on('disconnect', onDisconnect);
    const fit = () => h.fitAll();
    window.addEventListener('resize', fit);
    return () => {
      offTheme();
      s.off('disconnect', onDisconnect);
      window.removeEventListener('resize', fit);
      h.dispose();
      hub.current = null;
    };
  }, [sessionId]);

  const terminalsKey = terminals.map((t) => t.id).join(',');
  const wasWatched = useRef(false);
  useEffect(() => {
    const h = hub.current;
    const fresh = watched && !wasWatched.current;
    wasWatched.current = watched;
    if (!h || !(running || starting) || terminals.length === 0) return;
    h.ensure(terminals);
    if (!running) return;
    if (fresh) h.connected(); // a new (re)connection: re-attach everything from its byte count
    else if (watched) h.attachAll(); // only terminals not attached yet
  }, [running, starting, terminalsKey, watched, attachGen]);

  const dismissInputNotice = (terminalId: string) => setInputNotices((cur) => ({ ...cur, [terminalId]: null }));
  return { hub, statuses, inputNotices, dismissInputNotice };
}
