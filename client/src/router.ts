import { useEffect, useState } from 'preact/hooks';

export type Route = { name: 'catalog' } | { name: 'session'; id: string };

export function parseRoute(hash: string): Route {
  const m = /^#\/session\/([A-Za-z0-9_-]+)/.exec(hash);
  if (m) return { name: 'session', id: m[1]! };
  return { name: 'catalog' };
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
