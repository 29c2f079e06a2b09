/** Shown when every step is done: what the student did, and the next lab. */
import { useState } from 'preact/hooks';
import type { SessionView } from '../../../server/contracts/protocol';
import { api } from '../api';
import { ErrorBox } from '../components/common';
import { navigate } from '../router';
import { handOver } from '../session-handoff';
import { errorText } from '../error-text';

export function FinishScreen({ session, onBack, onEnd }: { session: SessionView; onBack: () => void; onEnd: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const next = session.lab.next;
  const startNext = async () => {
    if (!next) return;
    setError(null);
    try {
      await api.action(session.id, 'stop');
      const r = await api.startSession(next.id);
      handOver(r.session);
      navigate(`#/session/${r.session.id}`);
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <div class="finish">
      <div class="finish-badge" aria-hidden="true">
        ★
      </div>
      <h2 tabIndex={-1}>You finished “{session.lab.title}”</h2>
      {session.lab.finish?.title && !/^finish$/i.test(session.lab.finish.title.trim()) ? <p class="finish-sub">{session.lab.finish.title}</p> : null}
      {session.lab.finish?.html ? <div class="prose" dangerouslySetInnerHTML={{ __html: session.lab.finish.html }} /> : null}
      <h3>What you did</h3>
      <ul class="learned">
        {session.lab.steps.map((s) => (
          <li>✓ {s.title}</li>
        ))}
      </ul>
      {error ? <ErrorBox message={error} onRetry={startNext} /> : null}
      <div class="row">
        {next ? (
          <button type="button" class="btn primary" onClick={startNext}>
            Next lab: {next.title} →
          </button>
        ) : null}
        <button type="button" class="btn" onClick={onEnd}>
          End this lab
        </button>
        <button type="button" class="btn ghost" onClick={onBack}>
          Review the steps
        </button>
      </div>
    </div>
  );
}
