/** Small pure helpers for the catalog and the session bar. */
import type { LabSummaryView } from '../../../server/contracts/protocol';

/** "12:05" or "1:02:03" for the time left; "0:00" when expired. */
export function formatTimeLeft(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Spoken form for screen readers: "12 minutes left". */
export function describeTimeLeft(ms: number): string {
  const min = Math.ceil(Math.max(0, ms) / 60000);
  if (min <= 0) return 'time is up';
  return min === 1 ? '1 minute left' : `${min} minutes left`;
}

export interface CatalogFilter {
  query: string;
  difficulty: string; // '' = any
  tag: string; // '' = any
  status: '' | 'new' | 'started' | 'finished';
}

export interface Course {
  title: string;
  sections: { title: string; labs: string[] }[];
}

export interface CatalogSection {
  title: string;
  labs: LabSummaryView[];
}

export function labStatus(lab: LabSummaryView): 'new' | 'started' | 'finished' {
  if (lab.finished) return 'finished';
  if (lab.completedSteps > 0 || lab.activeSessionId) return 'started';
  return 'new';
}

export function matchesFilter(lab: LabSummaryView, f: CatalogFilter): boolean {
  if (f.difficulty && lab.difficulty !== f.difficulty) return false;
  if (f.tag && !lab.tags.includes(f.tag)) return false;
  if (f.status && labStatus(lab) !== f.status) return false;
  const words = f.query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const hay = [lab.title, lab.summary, lab.id, lab.difficulty, ...lab.tags].join(' ').toLowerCase();
  return words.every((w) => hay.includes(w));
}

/** Labs grouped in course order; labs the course does not list go last under "More labs". */
export function groupCatalog(labs: LabSummaryView[], course: Course | null | undefined, f: CatalogFilter): CatalogSection[] {
  const byId = new Map(labs.map((l) => [l.id, l]));
  const placed = new Set<string>();
  const out: CatalogSection[] = [];
  for (const section of course?.sections ?? []) {
    const list: LabSummaryView[] = [];
    for (const id of section.labs) {
      const lab = byId.get(id);
      if (!lab || placed.has(id)) continue;
      placed.add(id);
      if (matchesFilter(lab, f)) list.push(lab);
    }
    if (list.length) out.push({ title: section.title, labs: list });
  }
  const rest = labs
    .filter((l) => !placed.has(l.id) && matchesFilter(l, f))
    .sort((a, b) => a.order - b.order || a.title.localeCompare(b.title));
  if (rest.length) out.push({ title: out.length ? 'More labs' : course?.title || 'Labs', labs: rest });
  return out;
}

export function allTags(labs: LabSummaryView[]): string[] {
  return [...new Set(labs.flatMap((l) => l.tags))].sort();
}

export function allDifficulties(labs: LabSummaryView[]): string[] {
  const order = ['beginner', 'intermediate', 'advanced'];
  return [...new Set(labs.map((l) => l.difficulty))].sort(
    (a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99) || a.localeCompare(b),
  );
}

/** Prerequisites the student has not finished yet, as titles. */
export function missingPrereqs(lab: LabSummaryView, labs: LabSummaryView[]): { id: string; title: string }[] {
  const byId = new Map(labs.map((l) => [l.id, l]));
  return lab.prerequisites
    .filter((id) => !byId.get(id)?.finished)
    .map((id) => ({ id, title: byId.get(id)?.title ?? id }));
}

/**
 * What a Run button types into the terminal: lines joined with carriage
 * returns (what the Enter key sends), plus a final Enter unless the block is
 * paste-only.
 */
export function typedCommand(command: string, mode: 'run' | 'paste'): string {
  const body = command.replace(/\r\n?/g, '\n').replace(/\n+$/, '').replace(/\n/g, '\r');
  return mode === 'run' ? body + '\r' : body;
}

/** Keeps the split ratio within usable limits. */
export function clampSplit(ratio: number, min = 0.2, max = 0.8): number {
  if (!Number.isFinite(ratio)) return 0.4;
  return Math.min(max, Math.max(min, ratio));
}
