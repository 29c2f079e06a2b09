/** First-start setup (the one-time link from the log) and instructor sign-in. */
import { useState } from 'preact/hooks';
import type { InstructorView } from '../../../server/contracts/classroom';
import { iapi } from './instructor-api';
import { Field } from './fields';
import { errorText } from '../error-text';
import { FormError } from './feedback';

export function SetupPage({ token, onDone }: { token: string; onDone: (i: InstructorView) => void }) {
  const [name, setName] = useState('');
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (!token) errs.form = 'This page needs the setup link from Berth’s log (or `berth admin setup-link`).';
    if (!name.trim()) errs.name = 'Type your name as students should see it.';
    if (!login.trim()) errs.login = 'Choose a login (or use your email address).';
    if (password.length < 10) errs.password = 'Use at least 10 characters.';
    if (again !== password) errs.again = 'The two passwords differ.';
    setErrors(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      const r = await iapi.setup(token, name.trim(), login.trim(), password);
      onDone(r.instructor);
    } catch (err) {
      setErrors({ form: errorText(err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="join card" aria-labelledby="setup-title">
      <h1 id="setup-title">Set up Berth</h1>
      <p class="muted">Create the first instructor account. It will be the owner: it can add other instructors later.</p>
      <form class="iform" onSubmit={submit} noValidate>
        <Field id="setup-name" label="Your name" value={name} onInput={setName} error={errors.name} autoComplete="name" autoFocus />
        <Field id="setup-login" label="Login or email" value={login} onInput={setLogin} error={errors.login} autoComplete="username" />
        <Field id="setup-password" label="Password" type="password" value={password} onInput={setPassword} error={errors.password} autoComplete="new-password" hint="At least 10 characters." />
        <Field id="setup-again" label="Password again" type="password" value={again} onInput={setAgain} error={errors.again} autoComplete="new-password" />
        <button type="submit" class="btn primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create the owner account'}
        </button>
        <FormError error={errors.form} />
      </form>
    </section>
  );
}

export function LoginPage({ needsSetup, onDone }: { needsSetup: boolean; onDone: (i: InstructorView) => void }) {
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!login.trim() || !password) {
      setError('Type your login and your password.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const r = await iapi.login(login.trim(), password);
      onDone(r.instructor);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="join card" aria-labelledby="login-title">
      <h1 id="login-title">Instructor sign-in</h1>
      {needsSetup ? (
        <div class="notice" role="status">
          <p>
            Berth has no instructor yet. Open the one-time setup link printed in Berth’s log when it started, or print it again with{' '}
            <code>berth admin setup-link</code>.
          </p>
        </div>
      ) : null}
      <form class="iform" onSubmit={submit} noValidate>
        <Field id="login-login" label="Login or email" value={login} onInput={setLogin} autoComplete="username" autoFocus />
        <Field id="login-password" label="Password" type="password" value={password} onInput={setPassword} autoComplete="current-password" />
        <button type="submit" class="btn primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <FormError error={error} />
      </form>
      <p class="muted small">
        A student? <a href="#/">Join a class</a>
      </p>
    </section>
  );
}
