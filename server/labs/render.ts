import { Marked, type Token, type Tokens } from 'marked';
import sanitizeHtml from 'sanitize-html';

/**
 * Lab Markdown becomes HTML on the server, once, and the result is sanitized:
 * a lab file is content, and content must never run code in a student's
 * browser. Interactive blocks are not HTML at all; they leave a placeholder the
 * client fills in from structured data.
 */

const BLOCK_ATTRIBUTE = 'data-berth-block';

/** `{{student}}`, `{{machine:NAME}}`, `{{url:MACHINE:PORT}}`; anything else (Go templates in `docker ps --format`) stays literal. */
export const VARIABLE = /\{\{\s*(student|machine:([a-z][a-z0-9-]{0,30})|url:([a-z][a-z0-9-]{0,30}):(\d{1,5}))\s*\}\}/g;

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: [
    'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'p', 'br', 'hr', 'blockquote', 'pre', 'code', 'kbd', 'samp', 'var',
    'ul', 'ol', 'li', 'dl', 'dt', 'dd', 'strong', 'b', 'em', 'i', 'u', 's', 'del', 'ins', 'mark', 'small', 'sub', 'sup',
    'a', 'img', 'table', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td', 'caption', 'details', 'summary', 'div', 'span', 'abbr',
  ],
  allowedAttributes: {
    a: ['href', 'title', 'target', 'rel'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    ol: ['start'],
    th: ['align'],
    td: ['align'],
    abbr: ['title'],
    div: [BLOCK_ATTRIBUTE],
  },
  allowedClasses: { code: ['language-*'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['http', 'https'] },
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  transformTags: {
    a: (tagName, attribs) => {
      const attrs = { ...attribs };
      dropVariableAtStart(attrs, 'href');
      // Leaving the lab page would lose the terminal; outside links open beside it.
      if (attrs.href && /^https?:/i.test(attrs.href)) {
        attrs.target = '_blank';
        attrs.rel = 'noopener noreferrer';
      } else {
        delete attrs.target;
        delete attrs.rel;
      }
      return { tagName, attribs: attrs };
    },
    img: (tagName, attribs) => {
      const attrs = { ...attribs };
      dropVariableAtStart(attrs, 'src');
      return { tagName, attribs: attrs };
    },
  },
};

/**
 * A student's display name or a hostname at the very start of a URL could
 * become a scheme such as `javascript:` once substituted; only Berth's own
 * proxy URL may lead an address.
 */
function dropVariableAtStart(attrs: Record<string, string>, name: string): void {
  const value = attrs[name];
  if (value !== undefined && /^\s*\{\{/.test(value) && !/^\s*\{\{\s*url:/.test(value)) delete attrs[name];
}

export function sanitize(html: string): string {
  return sanitizeHtml(html, SANITIZE);
}

/** marked percent-encodes braces inside URLs; variables must survive as written so they can be substituted later. */
function restoreVariables(html: string): string {
  return html.replace(/%7B%7B(.*?)%7D%7D/gi, (whole, inner: string) => {
    const candidate = `{{${decodeURIComponent(inner)}}}`;
    VARIABLE.lastIndex = 0;
    const match = VARIABLE.exec(candidate);
    return match && match[0] === candidate ? candidate : whole;
  });
}

/**
 * Renders already-lexed tokens. `blocks` says what happens to directive fences:
 * a string puts that block's placeholder in place, null removes the fence
 * (checks, hints and the like live elsewhere in the lab definition).
 */
export function renderTokens(tokens: Token[], blocks: ReadonlyMap<Tokens.Code, string | null> = new Map()): string {
  const marked = new Marked({ gfm: true });
  marked.use({
    renderer: {
      code(token: Tokens.Code) {
        if (!blocks.has(token)) return false;
        const id = blocks.get(token);
        return id ? `<div ${BLOCK_ATTRIBUTE}="${escapeHtml(id)}"></div>\n` : '';
      },
    },
  });
  const html = marked.parser(tokens);
  return sanitize(restoreVariables(html));
}

export function renderMarkdown(markdown: string): string {
  const marked = new Marked({ gfm: true });
  return sanitize(restoreVariables(marked.parse(markdown, { async: false })));
}

/** For one-line texts such as quiz choices: no surrounding paragraph. */
export function renderInline(markdown: string): string {
  const marked = new Marked({ gfm: true });
  return sanitize(restoreVariables(marked.parseInline(markdown, { async: false })));
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

export interface LabVariables {
  /** The student's display name. */
  student: string;
  /** Machine name → hostname; a machine missing here is reached by its name. */
  hostnames?: Record<string, string>;
  /** Where the browser reaches a machine's port through Berth, e.g. `/s/<session>/<machine>/<port>/`. */
  urlFor(machine: string, port: number): string;
  /** Machines of the lab; variables naming another machine are left as written. */
  machines: readonly string[];
}

/**
 * Fills in `{{student}}`, `{{machine:NAME}}` and `{{url:MACHINE:PORT}}`. On HTML
 * the values are escaped, since a display name is whatever the student typed;
 * on text (a command typed into a terminal) they go in as they are.
 */
export function substituteVariables(text: string, vars: LabVariables, target: 'html' | 'text' = 'text'): string {
  const out = (value: string) => (target === 'html' ? escapeHtml(value) : value);
  return text.replace(VARIABLE, (whole, _all: string, hostOf?: string, urlMachine?: string, urlPort?: string) => {
    if (hostOf !== undefined) {
      return vars.machines.includes(hostOf) ? out(vars.hostnames?.[hostOf] ?? hostOf) : whole;
    }
    if (urlMachine !== undefined && urlPort !== undefined) {
      const port = Number(urlPort);
      if (!vars.machines.includes(urlMachine) || port < 1 || port > 65535) return whole;
      return out(vars.urlFor(urlMachine, port));
    }
    return out(vars.student);
  });
}

/** Every variable a text uses, for validation of the machine names they mention. */
export function variablesIn(text: string): Array<{ raw: string; machine?: string; port?: number; index: number }> {
  const found: Array<{ raw: string; machine?: string; port?: number; index: number }> = [];
  for (const m of text.matchAll(VARIABLE)) {
    const machine = m[2] ?? m[3];
    found.push({ raw: m[0], machine, port: m[4] === undefined ? undefined : Number(m[4]), index: m.index ?? 0 });
  }
  return found;
}
