import type { ClassDirectory } from '../classroom';
import type { ClassGridView } from '../contracts/classroom';
import type { FactGatherer } from './class-facts';
import type { StudentFacts } from './facts';
import { buildGrid, buildRow, buildSummary } from './grid-builder';
import { PatchBatcher, realClock, type Clock } from './patch-batcher';

/** The part of socket.io the feed needs: sending to a room. */
export interface RoomEmitter {
  to(room: string): { emit(event: string, ...args: unknown[]): unknown };
}

export const classRoom = (classId: string) => `class:${classId}`;

/**
 * Feeds each watched class's room: a snapshot on watch, then patches with
 * only the rows that changed (and the summary, which any row can move).
 * Facts are cached per watched class so a patch re-reads only the students
 * whose events arrived; a class nobody watches costs nothing.
 */
export class ClassFeed {
  private emitter: RoomEmitter | null = null;
  private readonly watchers = new Map<string, number>();
  private readonly cache = new Map<string, Map<string, StudentFacts>>();
  private readonly batcher: PatchBatcher;

  constructor(
    private readonly classes: Pick<ClassDirectory, 'get' | 'students'>,
    private readonly gather: FactGatherer,
    intervalMs = 250,
    private readonly clock: Clock = realClock,
  ) {
    this.batcher = new PatchBatcher(intervalMs, (classId, ids) => this.flush(classId, ids), clock);
  }

  bind(emitter: RoomEmitter): void {
    this.emitter = emitter;
  }

  /** A fresh grid, cached or not (REST snapshot, first watch). */
  snapshot(classId: string): ClassGridView | null {
    const cls = this.classes.get(classId);
    if (!cls) return null;
    const facts = this.gather.facts(this.classes.students(classId));
    if (this.watchers.has(classId)) this.cache.set(classId, new Map(facts.map((f) => [f.id, f])));
    return buildGrid(classId, facts, this.gather.labs(cls.labs), this.clock.now());
  }

  /** One more watcher of the class; returns the snapshot to send it. */
  watch(classId: string): ClassGridView | null {
    this.watchers.set(classId, (this.watchers.get(classId) ?? 0) + 1);
    return this.snapshot(classId);
  }

  unwatch(classId: string): void {
    const n = (this.watchers.get(classId) ?? 0) - 1;
    if (n > 0) {
      this.watchers.set(classId, n);
      return;
    }
    this.watchers.delete(classId);
    this.cache.delete(classId);
    this.batcher.forget(classId);
  }

  watched(classId: string): boolean {
    return this.watchers.has(classId);
  }

  /** Something about this student changed; their class's watchers get a patch soon. */
  touched(classId: string, studentId: string): void {
    if (this.watchers.has(classId)) this.batcher.mark(classId, studentId);
  }

  private flush(classId: string, studentIds: string[]): void {
    const cls = this.classes.get(classId);
    const cached = this.cache.get(classId);
    if (!cls || !cached || !this.emitter) return;
    const dirty = new Set(studentIds);
    // A student who joined after the snapshot is not cached yet: read the roster again.
    const roster = this.classes.students(classId).filter((s) => dirty.has(s.id));
    for (const f of this.gather.facts(roster)) cached.set(f.id, f);
    const labs = this.gather.labs(cls.labs);
    const all = [...cached.values()];
    const rows = all.filter((f) => dirty.has(f.id)).map((f) => buildRow(f, labs));
    if (rows.length === 0) return;
    const summary = buildSummary(
      all.map((f) => buildRow(f, labs)),
      all,
      labs,
    );
    this.emitter.to(classRoom(classId)).emit('class:rows', { classId, rows, summary, at: this.clock.now() });
  }

  close(): void {
    this.batcher.close();
  }
}
