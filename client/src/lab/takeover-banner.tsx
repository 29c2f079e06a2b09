/**
 * "Your instructor is typing": shown for the whole takeover of any of this
 * lab's terminals, with a button that ends it (the student always can).
 */
import { useEffect, useState } from 'preact/hooks';
import type { StudentClassroomEvents } from '../../../server/contracts/classroom';
import { getSocket, request } from '../socket';
import { errorText } from '../error-text';

type TakeoverState = Parameters<StudentClassroomEvents['takeover:state']>[0];

/** The terminals of this lab an instructor is typing in, by terminal id, with the instructor's name. */
export type Takeovers = [Map<string, string>, (update: (cur: Map<string, string>) => Map<string, string>) => void];

/**
 * Follows `takeover:state` for the session. Used by the lab page before it
 * asks to watch the session: the server re-sends a takeover in progress in
 * answer to that, and a listener made later (once the lab's view has loaded)
 * would miss it.
 */
export function useTakeovers(sessionId: string): Takeovers {
  const [active, setActive] = useState<Map<string, string>>(new Map());

  useEffect(() => {
    const s = getSocket();
    const onState = (ev: TakeoverState) => {
      if (ev.sessionId !== sessionId) return;
      setActive((cur) => {
        const next = new Map(cur);
        if (ev.active) next.set(ev.terminalId, ev.instructor);
        else next.delete(ev.terminalId);
        return next;
      });
    };
    // A dropped connection ends the instructor's typing too; the server re-sends the state on watch.
    const onDisconnect = () => setActive(new Map());
    s.on('takeover:state', onState);
    s.on('disconnect', onDisconnect);
    return () => {
      s.off('takeover:state', onState);
      s.off('disconnect', onDisconnect);
    };
  }, [sessionId]);

  return [active, setActive];
}

export function TakeoverBanner({ sessionId, takeovers: [active, setActive] }: { sessionId: string; takeovers: Takeovers }) {
  const [error, setError] = useState<string | null>(null);

  const end = async (terminalId: string) => {
    setError(null);
    try {
      const r = await request('takeover:end', { sessionId, terminalId });
      if (!r.ok) setError('The takeover could not be ended. Try again.');
      else
        setActive((cur) => {
          const next = new Map(cur);
          next.delete(terminalId);
          return next;
        });
    } catch (e) {
      setError(errorText(e));
    }
  };

  if (active.size === 0) return null;
  return (
    <div class="takeover-banner" role="alert">
      {[...active].map(([terminalId, instructor]) => (
        <div class="row" key={terminalId}>
          <span aria-hidden="true">⌨</span>
          <strong>Your instructor is typing</strong>
          <span>
            ({instructor}, in terminal {terminalId})
          </span>
          <span class="spacer" />
          <button type="button" class="btn small" onClick={() => void end(terminalId)}>
            End the takeover
          </button>
        </div>
      ))}
      {error ? <p class="form-error">{error}</p> : null}
    </div>
  );
}
