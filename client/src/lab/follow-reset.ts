/**
 * An instructor's reset (or a reset from another tab of the same student)
 * ends this session and starts a new one for the same lab. The page only
 * sees its own session end, so when it does, look once for a fresh session
 * of the lab, and a couple more times shortly after (the new session is made
 * just after the old one ends), then open it.
 */
import { useEffect } from 'preact/hooks';
import { api } from '../api';
import { navigate } from '../router';

const LOOK_AGAIN_MS = [0, 1500, 5000];

export function useFollowReset(sessionId: string, labId: string, ended: boolean): void {
  useEffect(() => {
    if (!ended) return;
    let stopped = false;
    const timers = LOOK_AGAIN_MS.map((ms) =>
      window.setTimeout(() => {
        if (stopped) return;
        api
          .labs()
          .then((r) => {
            const next = r.labs.find((l) => l.id === labId)?.activeSessionId;
            if (!stopped && next && next !== sessionId) {
              stopped = true;
              navigate(`#/session/${next}`, true);
            }
          })
          .catch(() => undefined); // the ended screen stays, with its Start again button
      }, ms),
    );
    return () => {
      stopped = true;
      for (const t of timers) window.clearTimeout(t);
    };
  }, [sessionId, labId, ended]);
}
