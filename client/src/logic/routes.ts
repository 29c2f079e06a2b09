/** The hash routes of the client, parsed without any DOM (unit-tested). */

export type Route =
  | { name: 'catalog' }
  | { name: 'session'; id: string }
  | { name: 'join'; code: string }
  | { name: 'setup'; token: string }
  /** `#/instructor/classes/ID/live` → path ['classes', 'ID', 'live']. */
  | { name: 'instructor'; path: string[] };

export function parseRoute(hash: string): Route {
  const m = /^#\/session\/([A-Za-z0-9_-]+)/.exec(hash);
  if (m) return { name: 'session', id: m[1]! };
  const j = /^#\/join(?:\/([^/?#]*))?/.exec(hash);
  if (j) return { name: 'join', code: safeDecode(j[1] ?? '') };
  const s = /^#\/setup(?:\/([^/?#]*))?/.exec(hash);
  if (s) return { name: 'setup', token: safeDecode(s[1] ?? '') };
  const i = /^#\/instructor(\/[^?#]*)?$/.exec(hash.replace(/[?].*$/, ''));
  if (i) return { name: 'instructor', path: (i[1] ?? '').split('/').filter(Boolean).map(safeDecode) };
  return { name: 'catalog' };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return '';
  }
}

/** Routes served by the instructor chunk (never loaded for students). */
export function isInstructorRoute(r: Route): r is Extract<Route, { name: 'instructor' | 'setup' }> {
  return r.name === 'instructor' || r.name === 'setup';
}
