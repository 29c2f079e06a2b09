/**
 * Live events for one session: asks the server to watch it (again after every
 * reconnection) and hands status, progress, check results and disk warnings
 * to the page.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { CheckResultEvent, DiskWarningEvent, ProgressView, SessionStatusEvent } from '../../../server/contracts/protocol';
import { connectedSocket, connectionState, onConnectionState, request, type ConnectionState } from '../socket';
import { errorText } from '../error-text';

export interface SessionEventHandlers {
  status(ev: SessionStatusEvent): void;
  progress(progress: ProgressView): void;
  check(ev: CheckResultEvent): void;
  /** The lab's machines are near (or past) their disk budget. */
  disk?(ev: DiskWarningEvent): void;
}

export interface SessionEvents {
  conn: ConnectionState;
  /** The server sends this session's events to us (false while (re)connecting). */
  watched: boolean;
  /** Why live updates are not available, when the server said so. */
  notice: string | null;
}

export function useSessionEvents(sessionId: string, handlers: SessionEventHandlers): SessionEvents {
  const [conn, setConn] = useState<ConnectionState>(connectionState());
  const [watched, setWatched] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  // The latest handlers, so that subscribing depends on the session alone.
  const latest = useRef(handlers);
  latest.current = handlers;

  useEffect(() => {
    // Opened at the catalog, where the handshake may have been refused since (the student had to join again).
    const s = connectedSocket();
    const watch = async () => {
      setWatched(false);
      try {
        const r = await request('session:watch', { sessionId });
        if (r.ok) setWatched(true);
        else setNotice(r.error ?? 'Live updates are not available for this lab.');
      } catch (e) {
        setNotice(errorText(e));
      }
    };
    const onStatus = (ev: SessionStatusEvent) => ev.sessionId === sessionId && latest.current.status(ev);
    const onProgress = (ev: { sessionId: string; progress: ProgressView }) => ev.sessionId === sessionId && latest.current.progress(ev.progress);
    const onCheck = (ev: CheckResultEvent) => ev.sessionId === sessionId && latest.current.check(ev);
    const onDisk = (ev: DiskWarningEvent) => ev.sessionId === sessionId && latest.current.disk?.(ev);
    const onConnect = () => void watch();
    const onDisconnect = () => setWatched(false);
    s.on('connect', onConnect);
    s.on('disconnect', onDisconnect);
    s.on('session:status', onStatus);
    s.on('progress', onProgress);
    s.on('check:result', onCheck);
    s.on('session:disk', onDisk);
    if (s.connected) void watch();
    const offConn = onConnectionState(setConn);
    return () => {
      s.off('connect', onConnect);
      s.off('disconnect', onDisconnect);
      s.off('session:status', onStatus);
      s.off('progress', onProgress);
      s.off('check:result', onCheck);
      s.off('session:disk', onDisk);
      offConn();
    };
  }, [sessionId]);

  return { conn, watched, notice };
}
