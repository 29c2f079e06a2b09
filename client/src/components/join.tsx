import { useEffect, useState } from 'preact/hooks';
import type { StudentView } from '../../../server/contracts/protocol';
import { api, ApiError } from '../api';
import { explainJoinError, normalizeCode } from '../logic/join';
import { navigate } from '../router';
import { errorText } from '../error-text';

interface JoinProps {
  onJoined: (s: StudentView) => void;
  /** From `#/join/CODE`: the link on the projector or the QR code. */
  initialCode?: string;
  /** This browser is already joined as someone (a shared classroom PC). */
  current?: StudentView | null;
  onContinue?: () => void;
}

export function Join({ onJoined, initialCode = '', current, onContinue }: JoinProps) {
  const [code, setCode] = useState(normalizeCode(initialCode));
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  // undefined while asking the server whether a name alone is enough
  const [openJoin, setOpenJoin] = useState<boolean | undefined>(undefined);
  const [error, setError] = useState<{ field: 'code' | 'name' | null; message: string } | null>(null);

  useEffect(() => {
    api
      .joinInfo()
      .then((r) => setOpenJoin(r.openJoin === true))
      .catch(() => setOpenJoin(false));
  }, []);
  useEffect(() => setCode(normalizeCode(initialCode)), [initialCode]);

  const submit = async (e: Event) => {
    e.preventDefault();
    const c = normalizeCode(code);
    const trimmed = name.trim();
    if (!c && !openJoin) {
      setError({ field: 'code', message: 'Type the class code your teacher shows you.' });
      return;
    }
    if (!trimmed) {
      setError({ field: 'name', message: 'Please type the name your teacher will see.' });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const r = await api.join(trimmed, c || undefined);
      if (location.hash.startsWith('#/join')) navigate('#/', true);
      onJoined(r.student);
    } catch (err) {
      if (err instanceof ApiError) setError(explainJoinError(err.status, typeof err.body.code === 'string' ? err.body.code : undefined, err.message));
      else setError({ field: null, message: errorText(err) });
    } finally {
      setBusy(false);
    }
  };

  const errorFor = (field: 'code' | 'name' | null) =>
    error && error.field === field ? (
      <p id={`join-${field ?? 'form'}-error`} class="form-error" role="alert">
        {error.message}
      </p>
    ) : null;
  const invalid = (field: 'code' | 'name') => (error?.field === field ? { 'aria-invalid': 'true' as const, 'aria-describedby': `join-${field}-error` } : {});

  return (
    <section class="join card" aria-labelledby="join-title">
      <h1 id="join-title">Welcome to Berth</h1>
      <p class="muted">Hands-on Docker labs: your own machines, a live terminal, and instructions that check your work as you go.</p>
      {current ? (
        <div class="notice" role="status">
          <p>
            This browser is already joined as <strong>{current.name}</strong>.
          </p>
          <button type="button" class="btn small" onClick={onContinue}>
            Continue as {current.name}
          </button>
          <span class="muted small">or join below as someone else.</span>
        </div>
      ) : null}
      <form onSubmit={submit} class="join-form" noValidate>
        <label for="join-code">{openJoin ? 'Class code (leave empty for open practice)' : 'Class code'}</label>
        <input
          id="join-code"
          name="code"
          class="join-code"
          autoComplete="off"
          autoCapitalize="characters"
          spellcheck={false}
          maxLength={24}
          value={code}
          onInput={(e) => setCode((e.target as HTMLInputElement).value.toUpperCase())}
          {...invalid('code')}
          autoFocus={!initialCode}
        />
        {errorFor('code')}
        <label for="join-name">Your display name</label>
        <input
          id="join-name"
          name="name"
          autoComplete="nickname"
          maxLength={40}
          value={name}
          onInput={(e) => setName((e.target as HTMLInputElement).value)}
          {...invalid('name')}
          autoFocus={!!initialCode}
        />
        {errorFor('name')}
        <button type="submit" class="btn primary" disabled={busy || openJoin === undefined}>
          {busy ? 'Joining…' : 'Join'}
        </button>
        {errorFor(null)}
      </form>
      <p class="muted small">
        Teaching? <a href="#/instructor">Instructor sign-in</a>
      </p>
    </section>
  );
}
