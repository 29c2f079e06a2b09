/**
 * Hostile values for the fuzzers: a seeded generator (a failure can be
 * replayed with the same seed) of the shapes that break servers: wrong
 * types, huge strings, deep nesting, missing and extra fields, binary where
 * text is expected, and near-misses of valid payloads.
 */
export class Rng {
  constructor(private state: number) {}
  next(): number {
    // mulberry32
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(max: number): number {
    return Math.floor(this.next() * max);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

export function deep(depth: number, leaf: unknown = 'x'): unknown {
  let value: unknown = leaf;
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
}

const STRINGS = ['', ' ', 'null', '0', '-1', '../../etc/passwd', '%00', '\u0000', '\u202e', '<script>alert(1)</script>', "' OR 1=1 --", '${7*7}', '__proto__', 'constructor', '😀'.repeat(50), 'a:b', 'box:99', 'BOX'];

/** Any value at all, sometimes large. */
export function anyValue(rng: Rng, budget = 3): unknown {
  switch (rng.int(14)) {
    case 0:
      return null;
    case 1:
      return undefined;
    case 2:
      return rng.pick([0, -1, 1.5, 2 ** 53, -(2 ** 31), 1e308, 65536, 4 * 1024 * 1024 + 1]);
    case 3:
      return rng.pick([true, false]);
    case 4:
      return rng.pick(STRINGS);
    case 5:
      return 'x'.repeat(rng.pick([1000, 64 * 1024, 1024 * 1024]));
    case 6:
      return Buffer.from(Array.from({ length: rng.int(2048) }, () => rng.int(256)));
    case 7:
      return deep(rng.pick([10, 100, 500])); // deeper nesting goes as raw frames (the client's own encoder recurses)
    case 8:
      return budget > 0 ? Array.from({ length: rng.int(5) }, () => anyValue(rng, budget - 1)) : [];
    case 9:
      return budget > 0 ? Object.fromEntries(Array.from({ length: rng.int(5) }, (_, i) => [rng.pick(['sessionId', 'step', 'data', '__proto__', `k${i}`]), anyValue(rng, budget - 1)])) : {};
    case 10:
      return JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}') as unknown;
    case 11:
      return Array.from({ length: 10000 }, (_, i) => i);
    case 12:
      return rng.pick([Number.NaN, Infinity, -Infinity]);
    default:
      return String.fromCharCode(...Array.from({ length: rng.int(200) }, () => rng.int(0xd800)));
  }
}

/** A valid payload with one thing wrong: a field removed, retyped, out of range or added. */
export function nearMiss(rng: Rng, valid: Record<string, unknown>): unknown {
  const copy: Record<string, unknown> = { ...valid };
  const keys = Object.keys(copy);
  switch (rng.int(5)) {
    case 0:
      if (keys.length) delete copy[rng.pick(keys)];
      return copy;
    case 1:
      if (keys.length) copy[rng.pick(keys)] = anyValue(rng, 1);
      return copy;
    case 2:
      copy[rng.pick(['extra', '__proto__', 'owner', 'studentId'])] = anyValue(rng, 1);
      return copy;
    case 3:
      return rng.chance(0.5) ? [copy] : JSON.stringify(copy);
    default:
      return copy; // valid as sent: the handler itself must cope
  }
}
