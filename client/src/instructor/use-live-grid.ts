/**
 * The live grid of one class: `class:watch`, a `class:grid` snapshot, then
 * `class:rows` patches merged at most once per animation frame. Re-watches
 * after every reconnect (the snapshot that follows replaces everything), never
 * polls.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ClassGridView } from '../../../server/contracts/classroom';
import { getSocket, onConnectionState, connectionState, type ConnectionState } from '../socket';
import { FrameBatcher } from '../logic/frame-batcher';
import { mergePatches, type RowsPatch } from '../logic/grid';
import { askInstructor, onInstructor, tellInstructor } from './instructor-socket';
import { iapi } from './instructor-api';

export interface LiveGrid {
  grid: ClassGridView | null;
  error: string | null;
  conn: ConnectionState;
}

export function useLiveGrid(classId: string): LiveGrid {
  const [grid, setGrid] = useState<ClassGridView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [conn, setConn] = useState<ConnectionState>(connectionState());

  useEffect(() => {
    const s = getSocket();
    const batcher = new FrameBatcher<RowsPatch>((patches) => {
      setGrid((g) => (g ? mergePatches(g, patches) : g));
    });
    const offGrid = onInstructor('class:grid', (g) => {
      if (g.classId !== classId) return;
      batcher.clear(); // the snapshot already holds everything queued
      setGrid(g);
    });
    const offRows = onInstructor('class:rows', (p) => {
      if (p.classId === classId) batcher.push(p);
    });
    const watch = async () => {
      const r = await askInstructor('class:watch', { classId });
      if (r.ok) setError(null);
      else setError(r.error ?? 'The live view of this class is not available.');
    };
    // Refused at the handshake, or closed by the server (a revoked sign-in): the REST check
    // signs out if Berth no longer knows us; otherwise connect again (socket.io does not after a server close).
    const onRefused = () => void iapi.me().catch(() => undefined);
    const onClosed = (reason: string) => {
      if (reason === 'io server disconnect')
        void iapi
          .me()
          .then(() => s.connect())
          .catch(() => undefined);
    };
    s.on('connect', watch);
    s.on('connect_error', onRefused);
    s.on('disconnect', onClosed);
    if (s.connected) void watch();
    const offConn = onConnectionState(setConn);
    return () => {
      tellInstructor('class:unwatch', { classId });
      s.off('connect', watch);
      s.off('connect_error', onRefused);
      s.off('disconnect', onClosed);
      offGrid();
      offRows();
      offConn();
      batcher.dispose();
    };
  }, [classId]);

  return { grid, error, conn };
}
