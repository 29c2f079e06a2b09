import { useState } from 'preact/hooks';
import type { StudentView } from '../../../server/contracts/protocol';
import { api } from '../api';

export function Join({ onJoined }: { onJoined: (s: StudentView) => void }) {
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) {
      setError('Please type the name your teacher will see.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const r = await api.join(trimmed);
      onJoined(r.student);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="join card" aria-labelledby="join-title">
      <h1 id="join-title">Welcome to Berth</h1>
      <p class="muted">Hands-on Docker labs: your own machines, a live terminal, and instructions that check your work as you go.</p>
      <form onSubmit={submit} class="join-form">
        <label for="join-name">Your display name</label>
        <input
          id="join-name"
          name="name"
          autoComplete="nickname"
          maxLength={40}
          value={name}
          onInput={(e) => setName((e.target as HTMLInputElement).value)}
          aria-describedby={error ? 'join-error' : undefined}
          aria-invalid={error ? 'true' : undefined}
          autoFocus
        />
        <button type="submit" class="btn primary" disabled={busy}>
          {busy ? 'Joining…' : 'Join'}
        </button>
        {error ? (
          <p id="join-error" class="form-error" role="alert">
            {error}
          </p>
        ) : null}
      </form>
    </section>
  );
}
