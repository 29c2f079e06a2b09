/** More terminals on request (`machine:2`, …), remembered per session so a reload brings them back. */
import { useMemo, useState } from 'preact/hooks';
import { machineOf, type TerminalRef } from './terminal-ids';

function readSaved(key: string): string[] {
  try {
    const saved = JSON.parse(localStorage.getItem(key) ?? '[]') as unknown;
    return Array.isArray(saved) ? saved.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

/** Every terminal of the session, main ones first, and the extras to add or remove. */
export function useExtraTerminals(sessionId: string, machines: string[]) {
  const key = `berth.terms.${sessionId}`;
  const [extras, setExtras] = useState<string[]>(() => readSaved(key));
  const terminals: TerminalRef[] = useMemo(
    () => [
      ...machines.map((m) => ({ id: m, machine: m })),
      ...extras.map((id) => ({ id, machine: machineOf(id) })).filter((t) => machines.includes(t.machine)),
    ],
    [machines.join(','), extras.join(',')],
  );
  const save = (next: string[]) => {
    setExtras(next);
    try {
      localStorage.setItem(key, JSON.stringify(next));
    } catch {
      /* private mode: extra terminals just are not remembered */
    }
  };
  return {
    extras,
    terminals,
    add: (id: string) => save([...extras, id]),
    remove: (id: string) => save(extras.filter((x) => x !== id)),
  };
}
