/** Instructors (the owner adds them), one's own sign-ins (revoke, sign out everywhere) and the audit log. */
import { useState } from 'preact/hooks';
import type { ClassSummaryView, InstructorRole, InstructorView, LoginSessionView } from '../../../server/contracts/classroom';
import { ErrorBox } from '../components/common';
import { iapi } from './instructor-api';
import { Field, formatWhen } from './fields';
import { errorText } from '../error-text';
import { FormError } from './feedback';
import { ITable } from './itable';
import { useLoad } from './use-load';

export function InstructorsPage({ me }: { me: InstructorView }) {
  const list = useLoad(() => iapi.instructors());
  const classes = useLoad(() => iapi.classes());
  return (
    <section aria-labelledby="ins-title">
      <h1 id="ins-title">Instructors</h1>
      {list.error ? <ErrorBox message={list.error} onRetry={list.reload} /> : null}
      {list.data ? (
        <ITable columns={['Name', 'Login', 'Role', 'Since']}>
          {list.data.instructors.map((i) => (
            <tr>
              <th scope="row">{i.name}</th>
              <td>{i.login}</td>
              <td>{i.role}</td>
              <td>{formatWhen(i.createdAt)}</td>
            </tr>
          ))}
        </ITable>
      ) : null}
      {me.role === 'owner' ? <AddInstructor classes={classes.data?.classes ?? []} onAdded={list.reload} /> : <p class="muted">Only an owner adds instructors.</p>}
    </section>
  );
}

function AddInstructor({ classes, onAdded }: { classes: ClassSummaryView[]; onAdded: () => void }) {
  const [name, setName] = useState('');
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<InstructorRole>('instructor');
  const [classIds, setClassIds] = useState<string[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [done, setDone] = useState<string | null>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (!name.trim()) errs.name = 'Type their name.';
    if (!login.trim()) errs.login = 'Choose a login for them.';
    if (password.length < 10) errs.password = 'At least 10 characters; tell it to them privately.';
    setErrors(errs);
    setDone(null);
    if (Object.keys(errs).length) return;
    try {
      const r = await iapi.addInstructor({ name: name.trim(), login: login.trim(), password, role, classIds });
      setDone(`${r.instructor.name} can now sign in as ${r.instructor.login}.`);
      setName('');
      setLogin('');
      setPassword('');
      setClassIds([]);
      onAdded();
    } catch (err) {
      setErrors({ form: errorText(err) });
    }
  };

  return (
    <form class="iform isection" onSubmit={submit} noValidate aria-labelledby="add-ins">
      <h2 id="add-ins">Add an instructor</h2>
      <Field id="ni-name" label="Name" value={name} onInput={setName} error={errors.name} />
      <Field id="ni-login" label="Login or email" value={login} onInput={setLogin} error={errors.login} autoComplete="off" />
      <Field id="ni-password" label="First password" type="password" value={password} onInput={setPassword} error={errors.password} autoComplete="new-password" />
      <div class="ifield">
        <label for="ni-role">Role</label>
        <select id="ni-role" value={role} onChange={(e) => setRole((e.target as HTMLSelectElement).value as InstructorRole)}>
          <option value="instructor">Instructor (sees their own classes)</option>
          <option value="owner">Owner (sees every class, adds instructors)</option>
        </select>
      </div>
      {role === 'instructor' && classes.length ? (
        <fieldset class="ifieldset">
          <legend>Classes they teach</legend>
          {classes
            .filter((c) => !c.archived)
            .map((c) => (
              <label class="check-line">
                <input
                  type="checkbox"
                  checked={classIds.includes(c.id)}
                  onChange={(e) => setClassIds((e.target as HTMLInputElement).checked ? [...classIds, c.id] : classIds.filter((x) => x !== c.id))}
                />
                {c.name}
              </label>
            ))}
        </fieldset>
      ) : null}
      <button type="submit" class="btn primary">
        Add instructor
      </button>
      <FormError error={errors.form} />
      {done ? (
        <p class="good" role="status">
          {done}
        </p>
      ) : null}
    </form>
  );
}

export function LoginsPage({ onSignOutEverywhere }: { onSignOutEverywhere: () => void }) {
  const { data, error, reload } = useLoad(() => iapi.logins());
  const [actionError, setActionError] = useState<string | null>(null);
  const revoke = async (l: LoginSessionView) => {
    setActionError(null);
    try {
      await iapi.revokeLogin(l.id);
      reload();
    } catch (e) {
      setActionError(errorText(e));
    }
  };
  return (
    <section aria-labelledby="lg-title">
      <div class="ihead">
        <h1 id="lg-title">Your sign-ins</h1>
        <span class="spacer" />
        <button type="button" class="btn danger" onClick={onSignOutEverywhere}>
          Sign out everywhere
        </button>
      </div>
      <p class="muted small">Every browser where you are signed in. A sign-in ends by itself after a while without use.</p>
      {error ? <ErrorBox message={error} onRetry={reload} /> : null}
      <FormError error={actionError} />
      {data ? (
        <ITable columns={['Browser', 'Address', 'Signed in', 'Last used', 'Ends', { srOnly: 'Actions' }]}>
          {data.logins.map((l) => (
            <tr>
              <th scope="row" class="small">
                {l.userAgent || 'unknown'} {l.current ? <span class="badge">this browser</span> : null}
              </th>
              <td>{l.address}</td>
              <td>{formatWhen(l.createdAt)}</td>
              <td>{formatWhen(l.lastSeenAt)}</td>
              <td>{formatWhen(l.expiresAt)}</td>
              <td>
                {!l.current ? (
                  <button type="button" class="btn small" onClick={() => void revoke(l)} aria-label={`Revoke the sign-in from ${l.address}`}>
                    Revoke
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </ITable>
      ) : null}
    </section>
  );
}

export function AuditPage() {
  const [classId, setClassId] = useState('');
  const classes = useLoad(() => iapi.classes());
  const audit = useLoad(() => iapi.audit(classId || undefined), [classId]);
  const entries = audit.data?.entries;
  const names = new Map((classes.data?.classes ?? []).map((c) => [c.id, c.name]));
  return (
    <section aria-labelledby="au-title">
      <div class="ihead">
        <h1 id="au-title">Audit log</h1>
        <span class="spacer" />
        <label for="au-class">Class</label>
        <select id="au-class" value={classId} onChange={(e) => setClassId((e.target as HTMLSelectElement).value)}>
          <option value="">All classes</option>
          {(classes.data?.classes ?? []).map((c) => (
            <option value={c.id}>{c.name}</option>
          ))}
        </select>
      </div>
      {audit.error ? <ErrorBox message={audit.error} onRetry={audit.reload} /> : null}
      {entries ? (
        entries.length === 0 ? (
          <p class="muted">Nothing recorded yet.</p>
        ) : (
          <ITable columns={['When', 'Who', 'Action', 'Class', 'Target', 'Details']}>
            {entries.map((e) => (
              <tr>
                <td class="small">{formatWhen(e.at)}</td>
                <td>{e.instructorName ?? 'Berth'}</td>
                <th scope="row">{e.action}</th>
                <td>{e.classId ? (names.get(e.classId) ?? e.classId) : '–'}</td>
                <td>{e.target ?? '–'}</td>
                <td class="small">
                  <code>{Object.keys(e.detail).length ? JSON.stringify(e.detail) : ''}</code>
                </td>
              </tr>
            ))}
          </ITable>
        )
      ) : null}
    </section>
  );
}
