/** Create or edit a class: labs in order (from the catalog or a course section), seats, schedule, limits. */
import { useEffect, useState } from 'preact/hooks';
import type { CatalogForInstructors, InstructorView } from '../../../server/contracts/classroom';
import { navigate } from '../router';
import { ErrorBox } from '../components/common';
import { addSection, emptyForm, formFromClass, moveLab, validateClassForm, type ClassFormErrors, type ClassFormText } from '../logic/class-form';
import { iapi } from './instructor-api';
import { Field } from './fields';
import { errorText } from '../error-text';
import { FormError } from './feedback';

export function ClassFormPage({ classId }: { classId: string | null }) {
  const [catalog, setCatalog] = useState<CatalogForInstructors | null>(null);
  const [form, setForm] = useState<ClassFormText | null>(classId ? null : emptyForm());
  const [errors, setErrors] = useState<ClassFormErrors & { form?: string }>({});
  const [loadError, setLoadError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [pick, setPick] = useState('');
  const [section, setSection] = useState('');
  // Editing only: who teaches the class (a new class is taught by its maker).
  const [everyone, setEveryone] = useState<InstructorView[]>([]);
  const [teachers, setTeachers] = useState<Set<string> | null>(null);

  useEffect(() => {
    iapi
      .catalog()
      .then(setCatalog)
      .catch((e: unknown) => setLoadError(errorText(e)));
    if (classId)
      iapi
        .getClass(classId)
        .then((r) => {
          setForm(formFromClass(r.class));
          setTeachers(new Set(r.class.instructors.map((i) => i.id)));
        })
        .catch((e: unknown) => setLoadError(errorText(e)));
    if (classId)
      iapi
        .instructors()
        .then((r) => setEveryone(r.instructors))
        .catch((e: unknown) => setLoadError(errorText(e)));
  }, [classId]);

  if (loadError) return <ErrorBox message={loadError} />;
  if (!catalog || !form) return <p class="loading" role="status">Loading…</p>;

  const set = (patch: Partial<ClassFormText>) => setForm({ ...form, ...patch });
  const title = (id: string) => catalog.labs.find((l) => l.id === id)?.title ?? id;
  const unpicked = catalog.labs.filter((l) => !form.labs.includes(l.id));

  const submit = async (e: Event) => {
    e.preventDefault();
    const { input, errors: errs } = validateClassForm(form);
    setErrors(errs);
    if (!input) return;
    setBusy(true);
    try {
      const r = classId ? await iapi.updateClass(classId, teachers ? { ...input, instructorIds: [...teachers] } : input) : await iapi.createClass(input);
      navigate(`#/instructor/classes/${encodeURIComponent(r.class.id)}`);
    } catch (err) {
      setErrors({ form: errorText(err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="cf-title">
      <h1 id="cf-title">{classId ? 'Edit the class' : 'New class'}</h1>
      <form class="iform wide" onSubmit={submit} noValidate>
        <Field id="cf-name" label="Class name" value={form.name} onInput={(v) => set({ name: v })} error={errors.name} autoFocus={!classId} />
        <fieldset class="ifieldset" aria-describedby={errors.labs ? 'cf-labs-error' : undefined}>
          <legend>Labs, in the order students take them</legend>
          {form.labs.length === 0 ? <p class="muted small">No lab picked yet.</p> : null}
          <ol class="lab-order">
            {form.labs.map((id, i) => (
              <li key={id} data-lab-id={id}>
                <span class="grow">{title(id)}</span>
                <button type="button" class="btn small ghost" aria-label={`Move ${title(id)} up`} disabled={i === 0} onClick={() => set({ labs: moveLab(form.labs, i, -1) })}>
                  ↑
                </button>
                <button type="button" class="btn small ghost" aria-label={`Move ${title(id)} down`} disabled={i === form.labs.length - 1} onClick={() => set({ labs: moveLab(form.labs, i, 1) })}>
                  ↓
                </button>
                <button type="button" class="btn small ghost" aria-label={`Remove ${title(id)}`} onClick={() => set({ labs: form.labs.filter((x) => x !== id) })}>
                  ×
                </button>
              </li>
            ))}
          </ol>
          <div class="row">
            <label for="cf-add-lab">Add a lab</label>
            <select id="cf-add-lab" value={pick} onChange={(e) => setPick((e.target as HTMLSelectElement).value)}>
              <option value="">Choose…</option>
              {unpicked.map((l) => (
                <option value={l.id}>
                  {l.title} ({l.stepCount} steps, ~{l.minutes} min{l.section ? `, ${l.section}` : ''})
                </option>
              ))}
            </select>
            <button type="button" class="btn small" disabled={!pick} onClick={() => (set({ labs: [...form.labs, pick] }), setPick(''))}>
              Add lab
            </button>
          </div>
          {catalog.sections.length ? (
            <div class="row">
              <label for="cf-add-section">Add a whole section</label>
              <select id="cf-add-section" value={section} onChange={(e) => setSection((e.target as HTMLSelectElement).value)}>
                <option value="">Choose…</option>
                {catalog.sections.map((s) => (
                  <option value={s.title}>
                    {s.title} ({s.labs.length} labs)
                  </option>
                ))}
              </select>
              <button type="button" class="btn small" disabled={!section} onClick={() => (set({ labs: addSection(form.labs, catalog, section) }), setSection(''))}>
                Add section
              </button>
            </div>
          ) : null}
          <FormError id="cf-labs-error" error={errors.labs} />
        </fieldset>
        <Field id="cf-seats" label="Seats (most students)" value={form.seats} onInput={(v) => set({ seats: v })} error={errors.seats} inputMode="numeric" />
        <div class="row two">
          <Field id="cf-starts" label="Starts (optional)" type="datetime-local" value={form.startsAt} onInput={(v) => set({ startsAt: v })} error={errors.startsAt} hint="Berth warms up machines for the first lab shortly before." />
          <Field id="cf-ends" label="Ends (optional)" type="datetime-local" value={form.endsAt} onInput={(v) => set({ endsAt: v })} error={errors.endsAt} />
        </div>
        <fieldset class="ifieldset">
          <legend>Limits (leave empty for Berth’s defaults)</legend>
          <div class="row three">
            <Field id="cf-max-running" label="Labs running at once" value={form.maxRunning} onInput={(v) => set({ maxRunning: v })} error={errors.maxRunning} inputMode="numeric" />
            <Field id="cf-session-minutes" label="Minutes per lab session" value={form.sessionMinutes} onInput={(v) => set({ sessionMinutes: v })} error={errors.sessionMinutes} inputMode="numeric" />
            <Field id="cf-idle-minutes" label="Idle minutes before pausing" value={form.idleMinutes} onInput={(v) => set({ idleMinutes: v })} error={errors.idleMinutes} inputMode="numeric" />
          </div>
        </fieldset>
        {classId && teachers && everyone.length ? (
          <fieldset class="ifieldset">
            <legend>Who teaches this class</legend>
            <p class="muted small">They see it, its live grid and its results. Owners see every class anyway.</p>
            {everyone.map((i) => (
              <label class="check-line" key={i.id}>
                <input
                  type="checkbox"
                  checked={teachers.has(i.id)}
                  onChange={(e) => {
                    const next = new Set(teachers);
                    if ((e.target as HTMLInputElement).checked) next.add(i.id);
                    else next.delete(i.id);
                    setTeachers(next);
                  }}
                />
                {i.name} <span class="muted">({i.login}{i.role === 'owner' ? ', owner' : ''})</span>
              </label>
            ))}
          </fieldset>
        ) : null}
        <label class="check-line">
          <input type="checkbox" checked={form.allowRejoinByName} onChange={(e) => set({ allowRejoinByName: (e.target as HTMLInputElement).checked })} />
          Students may come back by code and the same name (shared classroom PCs). Otherwise you re-admit them from the roster.
        </label>
        <div class="row">
          <button type="submit" class="btn primary" disabled={busy}>
            {busy ? 'Saving…' : classId ? 'Save changes' : 'Create class'}
          </button>
          <a class="btn" href={classId ? `#/instructor/classes/${encodeURIComponent(classId)}` : '#/instructor'}>
            Cancel
          </a>
        </div>
        <FormError error={errors.form} />
      </form>
    </section>
  );
}
