import { useEffect, useState } from 'preact/hooks';

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

export function navigate(hash: string, replace = false): void {
  if (replace) history.replaceState(null, '', hash);
  else history.pushState(null, '', hash);
  window.dispatchEvent(new Event('berth:route'));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', update);
    window.addEventListener('popstate', update);
    window.addEventListener('berth:route', update);
    return () => {
      window.removeEventListener('hashchange', update);
      window.removeEventListener('popstate', update);
      window.removeEventListener('berth:route', update);
    };
  }, []);
  return route;
}
