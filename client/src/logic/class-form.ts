/**
 * The create/edit class form: the text the instructor types, turned into a
 * ClassInput with one clear error per field (the server checks again; this
 * only saves a round trip and points at the field).
 */
import type { CatalogForInstructors, ClassInput, ClassView } from '../../../server/contracts/classroom';

export interface ClassFormText {
  name: string;
  labs: string[];
  seats: string;
  startsAt: string; // <input type="datetime-local"> value, '' = none
  endsAt: string;
  maxRunning: string; // '' = the global default
  sessionMinutes: string;
  idleMinutes: string;
  allowRejoinByName: boolean;
}

export type ClassFormErrors = Partial<Record<keyof ClassFormText, string>>;

export function emptyForm(): ClassFormText {
  return { name: '', labs: [], seats: '30', startsAt: '', endsAt: '', maxRunning: '', sessionMinutes: '', idleMinutes: '', allowRejoinByName: false };
}

export function formFromClass(c: ClassView): ClassFormText {
  const n = (x: number | null) => (x === null ? '' : String(x));
  return {
    name: c.name,
    labs: c.labs.slice(),
    seats: String(c.seats),
    startsAt: toLocalInput(c.startsAt),
    endsAt: toLocalInput(c.endsAt),
    maxRunning: n(c.limits.maxRunning),
    sessionMinutes: n(c.limits.sessionMinutes),
    idleMinutes: n(c.limits.idleMinutes),
    allowRejoinByName: c.allowRejoinByName,
  };
}

/** Epoch ms → the local "YYYY-MM-DDTHH:MM" a datetime-local input shows. */
export function toLocalInput(ms: number | null): string {
  if (ms === null) return '';
  const d = new Date(ms);
  const p = (x: number) => String(x).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** The reverse; null for '' and NaN for text that is not a date. */
export function fromLocalInput(text: string): number | null {
  if (!text.trim()) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(text.trim());
  if (!m) return NaN;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  return d.getTime();
}

function whole(text: string, min: number, max: number): number | null | 'bad' {
  if (!text.trim()) return null;
  if (!/^\d+$/.test(text.trim())) return 'bad';
  const n = Number(text.trim());
  return n < min || n > max ? 'bad' : n;
}

export function validateClassForm(f: ClassFormText): { input: ClassInput | null; errors: ClassFormErrors } {
  const errors: ClassFormErrors = {};
  const name = f.name.trim();
  if (!name) errors.name = 'Give the class a name.';
  else if (name.length > 80) errors.name = 'The name is too long (80 characters at most).';
  if (f.labs.length === 0) errors.labs = 'Pick at least one lab.';
  const seats = whole(f.seats, 1, 500);
  if (seats === null || seats === 'bad') errors.seats = 'Seats must be a whole number from 1 to 500.';
  const startsAt = fromLocalInput(f.startsAt);
  const endsAt = fromLocalInput(f.endsAt);
  if (Number.isNaN(startsAt)) errors.startsAt = 'The start is not a date and time.';
  if (Number.isNaN(endsAt)) errors.endsAt = 'The end is not a date and time.';
  else if (startsAt !== null && endsAt !== null && !Number.isNaN(startsAt) && endsAt <= startsAt) errors.endsAt = 'The end must be after the start.';
  const maxRunning = whole(f.maxRunning, 1, 500);
  if (maxRunning === 'bad') errors.maxRunning = 'Labs at once must be empty (the default) or a whole number from 1 to 500.';
  const sessionMinutes = whole(f.sessionMinutes, 5, 24 * 60);
  if (sessionMinutes === 'bad') errors.sessionMinutes = 'Session minutes must be empty (the default) or from 5 to 1440.';
  const idleMinutes = whole(f.idleMinutes, 1, 24 * 60);
  if (idleMinutes === 'bad') errors.idleMinutes = 'Idle minutes must be empty (the default) or from 1 to 1440.';
  if (Object.keys(errors).length > 0) return { input: null, errors };
  return {
    errors,
    input: {
      name,
      labs: f.labs.slice(),
      seats: seats as number,
      startsAt,
      endsAt,
      limits: { maxRunning: maxRunning as number | null, sessionMinutes: sessionMinutes as number | null, idleMinutes: idleMinutes as number | null },
      allowRejoinByName: f.allowRejoinByName,
    },
  };
}

/** Moves lab `i` one place up (-1) or down (+1) in the class's order. */
export function moveLab(labs: string[], i: number, dir: -1 | 1): string[] {
  const j = i + dir;
  if (i < 0 || i >= labs.length || j < 0 || j >= labs.length) return labs;
  const out = labs.slice();
  [out[i], out[j]] = [out[j]!, out[i]!];
  return out;
}

/** Adds a whole course section's labs (in the section's order), skipping ones already picked. */
export function addSection(labs: string[], catalog: CatalogForInstructors, title: string): string[] {
  const section = catalog.sections.find((s) => s.title === title);
  if (!section) return labs;
  const known = new Set(catalog.labs.map((l) => l.id));
  return labs.concat(section.labs.filter((id) => known.has(id) && !labs.includes(id)));
}
