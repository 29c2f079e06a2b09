/** Keystroke echo timing, whatever carries the keys: bench/terminal.ts and bench/noisy-neighbour.ts. */
import { sleep } from './util';

export interface KeyEchoOptions {
  /** Pause after each echo (ms); 0 types the next key at once. */
  gapMs?: number;
}

/**
 * Types `keys` letters one at a time and times each one's echo (ms). `seen(key, i)` is called just
 * before the key is typed and resolves with the time its echo arrived (performance.now()).
 */
export async function keyEcho(type: (data: string) => void, seen: (key: string, i: number) => Promise<number>, keys: number, options: KeyEchoOptions = {}): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < keys; i++) {
    const key = 'abcdefghijklmnopqrstuvwxyz'[i % 26];
    const echoed = seen(key, i);
    const t0 = performance.now();
    type(key);
    samples.push((await echoed) - t0);
    if (options.gapMs) await sleep(options.gapMs);
    if (i % 40 === 39) {
      // Ctrl-U clears the line so it never grows long enough to matter.
      type('\x15');
      await sleep(100);
    }
  }
  type('\x15');
  await sleep(200);
  return samples;
}
