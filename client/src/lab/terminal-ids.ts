/**
 * Terminal ids on the lab page: a machine's main terminal is named after the
 * machine (`docker`); more terminals on it are `docker:2` … `docker:9`.
 */

export interface TerminalRef {
  id: string;
  machine: string;
}

/** `docker:2` → `docker`. */
export function machineOf(terminalId: string): string {
  const colon = terminalId.indexOf(':');
  return colon < 0 ? terminalId : terminalId.slice(0, colon);
}

/** `docker:2` → `2`; '' for a main terminal. */
export function terminalNumber(terminalId: string): string {
  const colon = terminalId.indexOf(':');
  return colon < 0 ? '' : terminalId.slice(colon + 1);
}

/** The next free extra terminal on the machine, or null when it has nine already. */
export function nextTerminalId(machine: string, extras: readonly string[]): string | null {
  let n = 2;
  while (extras.includes(`${machine}:${n}`)) n++;
  return n > 9 ? null : `${machine}:${n}`;
}
