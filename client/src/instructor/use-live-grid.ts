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
    s.on('connect', watch);
    if (s.connected) void watch();
    const offConn = onConnectionState(setConn);
    return () => {
      tellInstructor('class:unwatch', { classId });
      s.off('connect', watch);
      offGrid();
      offRows();
      offConn();
      batcher.dispose();
    };
  }, [classId]);

  return { grid, error, conn };
}
