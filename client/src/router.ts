import { useEffect, useState } from 'preact/hooks';
import { parseRoute, type Route } from './logic/routes';
import { draftFiles, leaveQuestion } from './logic/editor-files';

export { parseRoute, isInstructorRoute, type Route } from './logic/routes';

/** The hash the app shows; a change away from it may be refused (unsaved editor drafts). */
let shown = location.hash;

/**
 * Leaving a lab page inside the app (logo, Back, a link) with unsaved editor
 * drafts asks first. The drafts are in localStorage, so this holds even
 * before the Editor tab was opened after a reload.
 */
export function mayLeave(from: string, to: string): boolean {
  const here = parseRoute(from);
  if (here.name !== 'session') return true;
  const next = parseRoute(to);
  if (next.name === 'session' && next.id === here.id) return true;
  const question = leaveQuestion(storedDrafts(here.id), 'page');
  return !question || window.confirm(question);
}

/** End lab and Reset lab take the machines' files, unsaved editor drafts included: they ask first too. */
export function mayLoseDrafts(sessionId: string, action: string): boolean {
  if (action !== 'stop' && action !== 'reset') return true;
  const question = leaveQuestion(storedDrafts(sessionId), action);
  return !question || window.confirm(question);
}

function storedDrafts(sessionId: string): { machine: string; path: string }[] {
  try {
    return draftFiles(localStorage, sessionId);
  } catch {
    return []; // storage blocked: no drafts were kept
  }
}

export function navigate(hash: string, replace = false): void {
  if (!mayLeave(location.hash, hash)) return;
  if (replace) history.replaceState(null, '', hash);
  else history.pushState(null, '', hash);
  shown = location.hash;
  window.dispatchEvent(new Event('berth:route'));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const update = () => {
      // Back, Forward or a typed address: the URL changed already, so a refusal puts it back.
      if (location.hash !== shown && !mayLeave(shown, location.hash)) {
        history.pushState(null, '', shown);
        return;
      }
      shown = location.hash;
      setRoute(parseRoute(location.hash));
    };
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
