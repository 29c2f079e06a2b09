import { useEffect, useState } from 'preact/hooks';
import { parseRoute, type Route } from './logic/routes';

export { parseRoute, isInstructorRoute, type Route } from './logic/routes';

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
