/** The machines' pane while the lab is not running: queued, starting, paused, failed or ended, and what the student can do about it. */
import type { SessionView } from '../../../server/contracts/protocol';
import { ErrorBox, Spinner } from '../components/common';
import { navigate } from '../router';

export function StartProgress({ session, onResume, onRestart, onReload }: { session: SessionView; onResume: () => void; onRestart: () => void; onReload: () => Promise<void> }) {
  const st = session.state;
  if (st === 'failed') {
    return (
      <div class="start-box">
        <ErrorBox message={session.error || session.detail || 'Your lab machines could not be started.'} onRetry={onRestart}>
          <button type="button" class="btn" onClick={() => navigate('#/')}>
            Back to the labs
          </button>
        </ErrorBox>
      </div>
    );
  }
  if (st === 'paused') {
    return (
      <div class="start-box">
        <h2>Your lab is paused</h2>
        {/* Why it was paused (idle, its disk budget, its machines stopped) is the server's to say. */}
        <p>{session.detail || 'It was paused because nobody used it for a while. Your files are kept.'}</p>
        <button type="button" class="btn primary" onClick={onResume}>
          Resume the lab
        </button>
      </div>
    );
  }
  if (st === 'ended' || st === 'stopping') {
    return (
      <div class="start-box">
        <h2>{st === 'stopping' ? 'This lab is ending…' : 'This lab has ended'}</h2>
        <p>Your progress is saved. Start it again to get fresh machines.</p>
        <div class="row">
          <button type="button" class="btn primary" onClick={onRestart} disabled={st === 'stopping'}>
            Start again
          </button>
          <button type="button" class="btn" onClick={() => navigate('#/')}>
            Back to the labs
          </button>
        </div>
      </div>
    );
  }
  const phase = st === 'queued' ? 0 : st === 'running' ? 2 : 1;
  const items = [
    st === 'queued' ? `Waiting for a free place${session.queuePosition ? `: you are number ${session.queuePosition} in line` : ''}` : 'Place reserved',
    st === 'resuming' ? 'Waking your machines up' : 'Creating your lab machines',
    'Ready',
  ];
  return (
    <div class="start-box" role="status" aria-live="polite">
      <h2>Getting your lab ready</h2>
      <ol class="start-steps">
        {items.map((text, i) => (
          <li class={i < phase ? 'done' : i === phase ? 'now' : ''}>
            <span aria-hidden="true">{i < phase ? '✓' : i === phase ? <Spinner /> : '○'}</span> {text}
          </li>
        ))}
      </ol>
      {session.detail ? <p class="muted">{session.detail}</p> : null}
      <p class="muted small">You can read the instructions while you wait.</p>
      <button type="button" class="btn small ghost" onClick={() => void onReload()}>
        Refresh status
      </button>
    </div>
  );
}
