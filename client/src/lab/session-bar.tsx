/** The bar above the lab: connection, time left, and the session's actions (with a confirmation for the destructive ones). */
import { useEffect, useState } from 'preact/hooks';
import type { SessionView } from '../../../server/contracts/protocol';
import type { ConnectionState } from '../socket';
import { describeTimeLeft, formatTimeLeft } from '../logic/format';
import type { SessionAction } from './use-session-actions';

const CONN_LABEL: Record<ConnectionState, string> = { connecting: 'Connecting…', connected: 'Connected', reconnecting: 'Reconnecting…', offline: 'Offline' };

export function SessionBar({ session, conn, onAction }: { session: SessionView; conn: ConnectionState; onAction: (a: SessionAction) => Promise<void> }) {
  const [now, setNow] = useState(Date.now());
  const [confirm, setConfirm] = useState<'reset' | 'stop' | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const t = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(t);
  }, []);
  const left = session.expiresAt - now;
  const live = session.state === 'running';
  const doAct = async (a: SessionAction) => {
    setBusy(true);
    setConfirm(null);
    await onAction(a);
    setBusy(false);
  };
  return (
    <div class="session-bar">
      <span class={`conn conn-${conn}`} role="status" aria-live="polite" title="Connection to Berth">
        <span class="dot" aria-hidden="true" /> {CONN_LABEL[conn]}
      </span>
      {live && session.expiresAt ? (
        <span class={`time-left ${left < 5 * 60000 ? 'low' : ''}`} title="Time left in this lab" aria-label={describeTimeLeft(left)}>
          ◷ {formatTimeLeft(left)}
        </span>
      ) : null}
      <span class="spacer" />
      {confirm ? (
        <span class="confirm-inline" role="alertdialog" aria-label="Confirm">
          <span>{confirm === 'reset' ? 'Reset the lab? Your machines start over from scratch.' : 'End this lab? Your machines are removed; your progress is kept.'}</span>
          <button type="button" class="btn small danger" onClick={() => doAct(confirm)} disabled={busy}>
            {confirm === 'reset' ? 'Yes, reset' : 'Yes, end it'}
          </button>
          <button type="button" class="btn small" onClick={() => setConfirm(null)}>
            Cancel
          </button>
        </span>
      ) : (
        <>
          {live && session.extensionsLeft > 0 ? (
            <button type="button" class="btn small" disabled={busy} onClick={() => doAct('extend')} title={`${session.extensionsLeft} extension(s) left`}>
              More time
            </button>
          ) : null}
          <button type="button" class="btn small" disabled={busy || !live} onClick={() => setConfirm('reset')}>
            Reset lab
          </button>
          <button type="button" class="btn small danger" disabled={busy || session.state === 'ended'} onClick={() => setConfirm('stop')}>
            End lab
          </button>
        </>
      )}
    </div>
  );
}
