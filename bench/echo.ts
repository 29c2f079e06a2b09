/** Keystroke echo timing and the watch on a terminal's output it needs, whatever carries the keys: bench/terminal.ts and bench/noisy-neighbour.ts. */
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

/** Watches a terminal's output for a text: only its last `keep` characters are held (a flood must not pile up). */
export interface TextWatch {
  /** Every chunk of output, as it arrives. */
  feed(chunk: Buffer): void;
  /** Resolves with the time (performance.now()) at which `text` has appeared in output fed after the call. */
  next(text: string): Promise<number>;
}

export function textWatch(keep: number): TextWatch {
  let tail = '';
  let waiter: { text: string; resolve: (t: number) => void } | null = null;
  return {
    feed(chunk) {
      // Only the chunk's last `keep` bytes can end up in the tail: decoding the rest would only load the client.
      tail = (tail + chunk.subarray(Math.max(0, chunk.length - keep)).toString('latin1')).slice(-keep);
      if (waiter && tail.includes(waiter.text)) {
        const w = waiter;
        waiter = null;
        tail = '';
        w.resolve(performance.now());
      }
    },
    next(text) {
      tail = '';
      return new Promise((resolve) => {
        waiter = { text, resolve };
      });
    },
  };
}
