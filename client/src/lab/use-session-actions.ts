/** The session's own actions (stop, reset, resume, more time) and starting the lab again once it has ended. */
import { useState } from 'preact/hooks';
import type { SessionView } from '../../../server/contracts/protocol';
import { api, ApiError } from '../api';
import { navigate } from '../router';
import { handOver } from '../session-handoff';
import { errorText } from '../error-text';

export type SessionAction = 'stop' | 'reset' | 'resume' | 'extend';

interface Options {
  session: SessionView;
  setSession: (s: SessionView) => void;
  /** A reset of this same session: fresh machines, fresh progress. */
  onReset: (fresh: SessionView) => void;
}

export function useSessionActions({ session, setSession, onReset }: Options) {
  const [error, setError] = useState<string | null>(null);

  const act = async (action: SessionAction) => {
    setError(null);
    try {
      const r = await api.action(session.id, action);
      if (action === 'reset' && r.session.id !== session.id) {
        // A reset is a brand-new session: open it (fresh terminals, fresh progress).
        navigate(`#/session/${r.session.id}`, true);
        return;
      }
      if (action === 'reset') onReset(r.session);
      setSession(r.session);
      if (action === 'stop') navigate('#/');
    } catch (e) {
      setError(errorText(e));
    }
  };

  const restart = async () => {
    setError(null);
    try {
      const r = await api.startSession(session.labId);
      handOver(r.session);
      navigate(`#/session/${r.session.id}`, true);
    } catch (e) {
      if (e instanceof ApiError && e.status === 409 && typeof e.body.activeSessionId === 'string') navigate(`#/session/${e.body.activeSessionId}`, true);
      else setError(errorText(e));
    }
  };

  return { act, restart, error, clearError: () => setError(null) };
}
