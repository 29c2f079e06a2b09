import { z } from 'zod';
import { parseBytes } from '../config';

/**
 * The front matter of a lab.md. Every message says what was expected, because
 * instructors read these in a terminal, not the schema; the loader adds the
 * file, line and a suggested fix.
 */

export const LAB_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const MACHINE_NAME = /^[a-z][a-z0-9-]{0,30}$/;
export const MAX_MACHINES = 5;

const text = (what: string) =>
  z
    .string({ error: `expected ${what} (text)` })
    .trim()
    .min(1, { error: `expected ${what}, got an empty value` });

/** YAML happily turns `PORT: 8080` into a number; environment values are strings anyway. */
const envValue = z.union([z.string(), z.number(), z.boolean()], {
  error: 'expected a text, number or true/false value',
}).transform(String);

/**
 * YAML 1.2 reads an unquoted `0644` as the decimal 644, so a number whose digits
 * are all octal is taken to mean those digits; anything else must be quoted.
 */
const mode = z
  .union([z.string(), z.number()], { error: 'expected an octal mode such as "0644"' })
  .transform((raw, ctx) => {
    const digits = typeof raw === 'number' ? String(raw) : raw.trim();
    if (!/^0?[0-7]{3}$/.test(digits)) {
      ctx.addIssue({ code: 'custom', message: `expected an octal mode such as "0644", got ${JSON.stringify(raw)}` });
      return z.NEVER;
    }
    return digits.padStart(4, '0');
  });

const size = z
  .union([z.string(), z.number()], { error: 'expected a size such as 512m or 1g' })
  .transform((raw, ctx) => {
    try {
      const bytes = parseBytes(String(raw), 'memory');
      if (bytes < 6 * 1024 * 1024) throw new Error('too small');
      return bytes;
    } catch {
      ctx.addIssue({ code: 'custom', message: `expected a size of at least 6m such as 512m or 1g, got ${JSON.stringify(raw)}` });
      return z.NEVER;
    }
  });

const fileCopy = z.strictObject({
  from: text('a folder relative to the lab folder'),
  to: text('an absolute folder in the machine').refine((p) => p.startsWith('/'), {
    error: 'expected an absolute folder in the machine, starting with /',
  }),
  mode: mode.optional(),
});

export const machineSchema = z
  .strictObject({
    name: z.string({ error: 'expected a machine name' }).regex(MACHINE_NAME, {
      error: 'expected a name of lowercase letters, digits and dashes, starting with a letter, at most 31 characters',
    }),
    image: text('an image').default('dind'),
    docker: z.boolean({ error: 'expected true or false' }).optional(),
    memory: size.optional(),
    cpus: z.number({ error: 'expected a number of CPUs such as 1 or 0.5' }).positive({ error: 'expected more than 0 CPUs' }).max(64).optional(),
    pids: z.number({ error: 'expected a whole number of processes' }).int({ error: 'expected a whole number' }).min(64, { error: 'expected at least 64 processes' }).optional(),
    env: z
      .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, { error: 'expected a variable name of letters, digits and _ (not starting with a digit)' }), envValue, {
        error: 'expected a map of NAME: value',
      })
      .default({}),
    files: z.array(fileCopy, { error: 'expected a list of { from, to, mode }' }).default([]),
  })
  .transform((m) => ({
    name: m.name,
    image: m.image,
    // Only our dind image runs an engine unless the author says otherwise.
    docker: m.docker ?? m.image === 'dind',
    memoryBytes: m.memory,
    cpus: m.cpus,
    pids: m.pids,
    env: m.env,
    files: m.files,
  }));

const tab = z.strictObject({
  title: text('a tab title'),
  machine: z.string({ error: 'expected a machine name' }),
  port: z.number({ error: 'expected a port number' }).int().min(1, { error: 'expected a port from 1 to 65535' }).max(65535, { error: 'expected a port from 1 to 65535' }),
  path: z.string().startsWith('/', { error: 'expected a path starting with /' }).default('/'),
});

const labIdList = (what: string) =>
  z
    .array(z.string({ error: `expected ${what}` }).regex(LAB_ID, { error: `expected ${what} (lowercase letters, digits and dashes)` }), {
      error: `expected a list of ${what}s, e.g. [first-container]`,
    })
    .default([]);

export const frontMatterSchema = z
  .strictObject({
    id: z.string({ error: 'expected a lab id' }).regex(LAB_ID, {
      error: 'expected an id of lowercase letters, digits and single dashes, e.g. first-container',
    }).max(64, { error: 'expected an id of at most 64 characters' }),
    title: text('a title'),
    summary: text('a one-sentence summary'),
    difficulty: z.enum(['beginner', 'intermediate', 'advanced'], { error: 'expected beginner, intermediate or advanced' }).default('beginner'),
    minutes: z.number({ error: 'expected estimated minutes as a number' }).int({ error: 'expected a whole number of minutes' }).min(1, { error: 'expected 1 to 240 minutes' }).max(240, { error: 'expected 1 to 240 minutes' }).default(15),
    tags: z.array(z.string({ error: 'expected a tag (text)' }), { error: 'expected a list of tags, e.g. [basics, networking]' }).default([]),
    prerequisites: labIdList('a lab id'),
    requires: z.array(z.string({ error: 'expected a host feature name' }), { error: 'expected a list of host features, e.g. [swarm-routing-mesh]' }).default([]),
    next: z.string({ error: 'expected a lab id' }).regex(LAB_ID, { error: 'expected a lab id (lowercase letters, digits and dashes)' }).nullable().default(null),
    machines: z
      .array(machineSchema, { error: 'expected a list of machines, each with at least a name' })
      .min(1, { error: 'expected at least one machine (or leave machines out for one "docker" machine)' })
      .max(MAX_MACHINES, { error: `expected at most ${MAX_MACHINES} machines` })
      .default([{ name: 'docker', image: 'dind', docker: true, memoryBytes: undefined, cpus: undefined, pids: undefined, env: {}, files: [] }]),
    tabs: z.array(tab, { error: 'expected a list of { title, machine, port, path }' }).default([]),
  })
  .superRefine((fm, ctx) => {
    const seen = new Set<string>();
    fm.machines.forEach((m, i) => {
      if (seen.has(m.name)) ctx.addIssue({ code: 'custom', path: ['machines', i, 'name'], message: `machine name "${m.name}" is used twice` });
      seen.add(m.name);
    });
    fm.tabs.forEach((t, i) => {
      if (!seen.has(t.machine)) {
        ctx.addIssue({ code: 'custom', path: ['tabs', i, 'machine'], message: `tab names machine "${t.machine}", which is not in machines (${[...seen].join(', ')})` });
      }
    });
  });

export type FrontMatter = z.output<typeof frontMatterSchema>;

/** Keys an author may write, used to suggest the nearest one for a typo. */
export const KNOWN_KEYS: Record<string, string[]> = {
  '': ['id', 'title', 'summary', 'difficulty', 'minutes', 'tags', 'prerequisites', 'requires', 'next', 'machines', 'tabs'],
  machines: ['name', 'image', 'docker', 'memory', 'cpus', 'pids', 'env', 'files'],
  files: ['from', 'to', 'mode'],
  tabs: ['title', 'machine', 'port', 'path'],
};

/** Course order: `labs/course.yaml`. */
export const courseSchema = z.strictObject({
  title: text('a course title'),
  sections: z
    .array(
      z.strictObject({
        title: text('a section title'),
        labs: z.array(z.string({ error: 'expected a lab id' }), { error: 'expected a list of lab ids' }).default([]),
      }),
      { error: 'expected a list of sections, each with a title and labs' },
    )
    .default([]),
});

/** Levenshtein distance, small inputs only: for "did you mean" hints. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const saved = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = saved;
    }
  }
  return row[b.length];
}

export function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}
