/**
 * What the terminal tells the student about their input when the shell does
 * not keep up (`terminal:slow`): the server sends `slow: true` once when it
 * starts holding input back, and `slow: false` with the bytes it dropped
 * meanwhile when the shell reads again.
 */

export interface InputSlowEvent {
  slow: boolean;
  dropped: number;
}

/** The notice on a terminal: null when there is nothing to say. */
export interface InputNotice {
  slow: boolean;
  dropped: number;
}

export function nextInputNotice(prev: InputNotice | null, ev: InputSlowEvent): InputNotice | null {
  const dropped = Math.max(0, Math.floor(ev.dropped));
  if (ev.slow) return { slow: true, dropped };
  // The shell reads again: say so only if something was lost (the student must check what was typed).
  if (dropped > 0) return { slow: false, dropped };
  return prev && !prev.slow && prev.dropped > 0 ? prev : null;
}

function amount(bytes: number): string {
  if (bytes < 1024) return `${bytes} byte${bytes === 1 ? '' : 's'}`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

export function inputNoticeText(n: InputNotice): string {
  if (n.slow) {
    return n.dropped > 0
      ? `The program in this terminal is not reading your input, and some of it was dropped (${amount(n.dropped)}). Wait for the program (or press Ctrl-C) before typing or pasting more.`
      : 'The program in this terminal is not reading your input as fast as you send it. Wait for it (or press Ctrl-C) before typing or pasting more, or input will be dropped.';
  }
  return `Some of your input was dropped while the program was busy (${amount(n.dropped)}). Check what was typed before you go on.`;
}
