import fs from 'node:fs';
import path from 'node:path';
import { CHECK_KINDS, DEFAULT_CHECK_KIND } from '../../checks/kinds';
import type { Attribute, Directive, Place } from './directive';
import { attributeUsage, DIRECTIVES } from './index';

/**
 * The directive tables of docs/lab-format.md, and the table of check kinds,
 * written from the registries (server/labs/directives, server/checks/kinds) so
 * the guide cannot drift from what the parser accepts. `npm run
 * docs:directives` rewrites the text between the markers; a unit test fails
 * when the file and the registry disagree.
 */

export const BEGIN_MARKER = '<!-- directives:begin: generated from server/labs/directives/ by `npm run docs:directives`; edit there, not here -->';
export const END_MARKER = '<!-- directives:end -->';

const PLACE_HEADINGS: Record<Place, string> = { intro: 'introduction', step: 'step', finish: 'finish' };
const code = (text: string) => `\`${text}\``;
/** A cell must not end the table row early. */
const cell = (text: string) => text.replace(/\|/g, '\\|');

function usage(d: Directive): string {
  // Required attributes first and bare, the rest in brackets, in the registry's order.
  const ordered = [...d.attributes.filter((a) => a.required), ...d.attributes.filter((a) => !a.required)];
  const words = ordered.map((a) => (a.required ? attributeUsage(a) : `[${attributeUsage(a)}]`));
  // Four backticks around, so the three of the fence show.
  return `\`\`\`\` \`\`\`${[d.name, ...words].join(' ')} \`\`\`\``;
}

function fenceTable(): string[] {
  return ['| fence info string | what it is |', '|---|---|', ...DIRECTIVES.map((d) => `| ${usage(d)} | ${cell(d.summary)} |`)];
}

/** One row per CHECK_KINDS entry: a new kind's docs entry is its `summary`. */
function checkKindTable(): string[] {
  return [
    '| kind | what the block holds and when it passes |',
    '|---|---|',
    ...Object.values(CHECK_KINDS).map((k) => `| ${code(k.name)}${k.name === DEFAULT_CHECK_KIND ? ' (default)' : ''} | ${cell(k.summary)} |`),
  ];
}

function timeoutDefaults(on: Directive[]): string {
  const bySeconds = new Map<number, string[]>();
  for (const d of on) if (d.defaultTimeout !== undefined) bySeconds.set(d.defaultTimeout, [...(bySeconds.get(d.defaultTimeout) ?? []), code(d.name)]);
  const parts = [...bySeconds].sort((a, b) => a[0] - b[0]).map(([s, names]) => `${s} s for ${names.join(' and ')}`);
  const notes = on.map((d) => d.defaultTimeoutNote).filter(Boolean);
  return `${parts.length ? ` Default: ${parts.join(', ')}.` : ''}${notes.map((n) => ` ${n}`).join('')}`;
}

function attributeTable(): string[] {
  const rows = new Map<string, { attribute: Attribute; on: Directive[] }>();
  for (const d of DIRECTIVES) {
    for (const a of d.attributes) {
      const row = rows.get(a.name) ?? { attribute: a, on: [] };
      row.on.push(d);
      rows.set(a.name, row);
    }
  }
  return [
    '| attribute | on | meaning |',
    '|---|---|---|',
    ...[...rows.values()].map(({ attribute: a, on }) => {
      const meaning = `${a.meaning}${a.required ? ' Required.' : ''}${a.name === 'timeout' ? timeoutDefaults(on) : ''}`;
      return `| ${code(attributeUsage(a))} | ${on.map((d) => code(d.name)).join(', ')} | ${cell(meaning)} |`;
    }),
  ];
}

function placeTable(): string[] {
  const places: Place[] = ['intro', 'step', 'finish'];
  const rows = new Map<string, string[]>();
  for (const d of DIRECTIVES) {
    const cells = places.map((p) => (p !== 'finish' && d.allowedIn.includes(p) ? (d.placeNotes?.[p] ? `yes (${d.placeNotes[p]})` : 'yes') : 'no')).join(' | ');
    rows.set(cells, [...(rows.get(cells) ?? []), code(d.name)]);
  }
  return [
    `| block | ${places.map((p) => PLACE_HEADINGS[p]).join(' | ')} |`,
    `|---|${places.map(() => '---|').join('')}`,
    ...[...rows].map(([cells, names]) => `| ${names.join(', ')} | ${cells} |`),
  ];
}

/** The generated part of the guide, markers included. */
export function directiveDocs(): string {
  // Blank lines around the markers: a comment line right after a table row would be read as part of it by some renderers.
  return [
    BEGIN_MARKER,
    '',
    ...fenceTable(),
    '',
    'Check kinds (`kind=` on a `check`):',
    '',
    ...checkKindTable(),
    '',
    'Attributes:',
    '',
    ...attributeTable(),
    '',
    'Where each block may stand:',
    '',
    ...placeTable(),
    '',
    END_MARKER,
  ].join('\n');
}

/** `markdown` with the generated part replaced; throws, naming the file, when the markers are missing. */
export function withDirectiveDocs(markdown: string, file: string): string {
  const begin = markdown.indexOf(BEGIN_MARKER);
  const end = markdown.indexOf(END_MARKER);
  if (begin < 0 || end < begin) throw new Error(`${file}: the directive tables' markers are missing; put "${BEGIN_MARKER}" and "${END_MARKER}" on lines of their own where the tables belong`);
  return `${markdown.slice(0, begin)}${directiveDocs()}${markdown.slice(end + END_MARKER.length)}`;
}

if (require.main === module) {
  const file = path.resolve(process.argv[2] ?? 'docs/lab-format.md');
  const before = fs.readFileSync(file, 'utf8');
  const after = withDirectiveDocs(before, file);
  if (after !== before) fs.writeFileSync(file, after);
  process.stdout.write(`${path.relative(process.cwd(), file)}: directive tables ${after === before ? 'already up to date' : 'rewritten'}\n`);
}
