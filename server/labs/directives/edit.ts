import type { ClientBlock } from '../types';
import { machine } from './attributes';
import type { BuildContext, Directive, FoundBlock } from './directive';

/**
 * An `edit` block: a file the student writes in the editor. "Open in editor"
 * creates it with the block's text if it is missing, or opens it and selects
 * `lines`; `berth lab test` writes it the same way before the step's solve.
 */
function editBlock(id: string, b: FoundBlock, ctx: BuildContext): Extract<ClientBlock, { kind: 'edit' }> | null {
  const { issues } = ctx;
  const path = b.attrs.path;
  if (!path) {
    issues.error(b.line, 'an edit block needs the file it opens: path=/ABSOLUTE/PATH', { field: 'path', hint: 'for example ```edit path=/root/app/Dockerfile' });
    return null;
  }
  if (!path.startsWith('/') || path.endsWith('/') || path.split('/').includes('..') || /[\0\s]/.test(path)) {
    issues.error(b.line, `path=${path} must be an absolute path to a file, without "..", spaces or a trailing "/"`, { field: 'path', hint: 'for example path=/root/app/Dockerfile' });
    return null;
  }
  let lines: [number, number] | undefined;
  if (b.attrs.lines !== undefined) {
    const m = /^(\d{1,6})(?:-(\d{1,6}))?$/.exec(b.attrs.lines);
    const from = m ? Number(m[1]) : 0;
    const to = m ? Number(m[2] ?? m[1]) : 0;
    if (!m || from < 1 || to < from) {
      issues.error(b.line, `lines=${b.attrs.lines} is not a line or a range of lines`, { field: 'lines', hint: 'write lines=3 or lines=2-5 (1-based, inclusive)' });
      return null;
    }
    lines = [from, to];
  }
  const text = b.token.text.length && !b.token.text.endsWith('\n') ? `${b.token.text}\n` : b.token.text;
  return { kind: 'edit', id, machine: ctx.machine, path, text, ...(lines ? { lines } : {}) };
}

export const edit: Directive = {
  name: 'edit',
  summary:
    'a file for the browser editor: **Open in editor** creates it with the block\'s text if it is missing, or opens it with `lines` selected; `berth lab test` writes it the same way before the step\'s solve',
  attributes: [
    machine,
    { name: 'path', placeholder: '/ABSOLUTE/PATH', required: true, meaning: 'The file in the machine: absolute, without `..`, spaces or a trailing `/`.' },
    { name: 'lines', placeholder: 'N-M', meaning: 'Lines selected when the file is opened: `N` or `N-M`, 1-based, inclusive.' },
  ],
  allowedIn: ['intro', 'step'],
  build(b, ctx) {
    const block = editBlock(ctx.nextId('edit'), b, ctx);
    if (block) {
      ctx.out.blocks.push(block);
      ctx.place(block.id);
    }
  },
};
