/** What a terminal that is not live says over it, with the way to get it back. */
import { inputNoticeText, type InputNotice } from '../logic/input-notice';
import type { ConnectionState } from '../socket';
import type { TerminalStatus } from '../terminal/terminal-view';

export function TermOverlay({ status, message, conn, onReopen }: { status: TerminalStatus; message?: string; conn: ConnectionState; onReopen: () => void }) {
  if (status === 'watching') return <div class="term-banner">You are watching this terminal (someone else is typing).</div>;
  if (status === 'attaching') return conn === 'connected' ? <div class="term-banner">Connecting to the terminal…</div> : null;
  if (status === 'offline') return <div class="term-banner warn">Connection lost. Reconnecting… Your work in the machine is safe.</div>;
  return (
    <div class="term-banner warn" role="alert">
      {status === 'ended' ? `This shell has ended${message ? ` (${message})` : ''}.` : message ?? 'The terminal could not be opened.'}{' '}
      <button type="button" class="btn small" onClick={onReopen}>
        {status === 'ended' ? 'Open a new shell' : 'Try again'}
      </button>
    </div>
  );
}

/** Over a live terminal: its program is not reading the student's input, or some of it was dropped. */
export function InputSlowNotice({ notice, onDismiss }: { notice: InputNotice; onDismiss: () => void }) {
  return (
    <div class="term-banner warn input-slow" role="alert">
      {inputNoticeText(notice)}{' '}
      {notice.slow ? null : (
        <button type="button" class="btn small" onClick={onDismiss}>
          Dismiss
        </button>
      )}
    </div>
  );
}
