import { useEffect, useMemo, useState } from 'preact/hooks';
import type { LabSummaryView, StudentView } from '../../../server/contracts/protocol';
import { api, ApiError } from '../api';
import { navigate } from '../router';
import { allDifficulties, allTags, groupCatalog, labStatus, missingPrereqs, type CatalogFilter, type Course } from '../logic/format';
import { ErrorBox } from './common';
import { errorText } from '../error-text';
import { loadLabPage } from '../start-preload';
import { handOver } from '../session-handoff';

export function Catalog({ student }: { student: StudentView }) {
  const [labs, setLabs] = useState<LabSummaryView[] | null>(null);
  const [course, setCourse] = useState<Course | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [filter, setFilter] = useState<CatalogFilter>({ query: '', difficulty: '', tag: '', status: '' });
  const [starting, setStarting] = useState<string | null>(null);
  const [conflict, setConflict] = useState<{ labId: string; message: string; sessionId: string } | null>(null);

  const load = () => {
    setError(null);
    api
      .labs()
      .then((r) => {
        setLabs(r.labs);
        setCourse(r.course);
      })
      .catch((e: unknown) => setError(errorText(e)));
  };
  useEffect(load, []);

  const sections = useMemo(() => (labs ? groupCatalog(labs, course, filter) : []), [labs, course, filter]);
  const tags = useMemo(() => (labs ? allTags(labs) : []), [labs]);
  const levels = useMemo(() => (labs ? allDifficulties(labs) : []), [labs]);

  const start = async (lab: LabSummaryView) => {
    if (lab.activeSessionId) {
      navigate(`#/session/${lab.activeSessionId}`);
      return;
    }
    setStarting(lab.id);
    setError(null);
    setConflict(null);
    // The lab page's code comes while the server starts the lab, if the catalog's idle time did not bring it.
    loadLabPage().catch(() => undefined);
    try {
      const r = await api.startSession(lab.id);
      handOver(r.session);
      navigate(`#/session/${r.session.id}`);
    } catch (e) {
      if (e instanceof ApiError && e.status === 409 && typeof e.body.activeSessionId === 'string') {
        setConflict({ labId: lab.id, message: e.message, sessionId: e.body.activeSessionId });
      } else {
        setError(errorText(e));
      }
    } finally {
      setStarting(null);
    }
  };

  const endOther = async () => {
    if (!conflict) return;
    try {
      await api.action(conflict.sessionId, 'stop');
      const lab = labs?.find((l) => l.id === conflict.labId);
      setConflict(null);
      if (lab) await start({ ...lab, activeSessionId: null });
    } catch (e) {
      setError(errorText(e));
    }
  };

  const set = (patch: Partial<CatalogFilter>) => setFilter((f) => ({ ...f, ...patch }));

  return (
    <section class="catalog" aria-labelledby="catalog-title">
      <div class="catalog-head">
        <h1 id="catalog-title">{course?.title || 'Labs'}</h1>
        <p class="muted">Hello {student.name}. Pick a lab to start; your progress is saved as you go.</p>
      </div>
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label class="field grow">
          <span>Search</span>
          <input type="search" placeholder="Title, topic or tag" value={filter.query} onInput={(e) => set({ query: (e.target as HTMLInputElement).value })} />
        </label>
        <label class="field">
          <span>Level</span>
          <select value={filter.difficulty} onChange={(e) => set({ difficulty: (e.target as HTMLSelectElement).value })}>
            <option value="">Any level</option>
            {levels.map((d) => (
              <option value={d}>{d}</option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>Topic</span>
          <select value={filter.tag} onChange={(e) => set({ tag: (e.target as HTMLSelectElement).value })}>
            <option value="">Any topic</option>
            {tags.map((t) => (
              <option value={t}>{t}</option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>Progress</span>
          <select value={filter.status} onChange={(e) => set({ status: (e.target as HTMLSelectElement).value as CatalogFilter['status'] })}>
            <option value="">All labs</option>
            <option value="new">Not started</option>
            <option value="started">In progress</option>
            <option value="finished">Finished</option>
          </select>
        </label>
      </form>
      {error ? <ErrorBox message={error} onRetry={load} /> : null}
      {conflict ? (
        <div class="notice" role="alert">
          <p>{conflict.message || 'You already have a lab running.'}</p>
          <div class="row">
            <button type="button" class="btn primary" onClick={() => navigate(`#/session/${conflict.sessionId}`)}>
              Go to my running lab
            </button>
            <button type="button" class="btn" onClick={endOther}>
              End it and start this one
            </button>
            <button type="button" class="btn ghost" onClick={() => setConflict(null)}>
              Cancel
            </button>
          </div>
        </div>
      ) : null}
      {!labs && !error ? (
        <p class="loading" role="status">
          Loading labs…
        </p>
      ) : null}
      {labs && sections.length === 0 ? <p class="muted">No lab matches your search.</p> : null}
      {sections.map((section) => (
        <section class="catalog-section" aria-label={section.title}>
          <h2>{section.title}</h2>
          <ul class="cards">
            {section.labs.map((lab) => (
              <LabCard lab={lab} labs={labs!} busy={starting === lab.id} disabled={starting !== null} onStart={() => start(lab)} />
            ))}
          </ul>
        </section>
      ))}
    </section>
  );
}

function LabCard({ lab, labs, busy, disabled, onStart }: { lab: LabSummaryView; labs: LabSummaryView[]; busy: boolean; disabled: boolean; onStart: () => void }) {
  const status = labStatus(lab);
  const missing = missingPrereqs(lab, labs);
  const pct = lab.stepCount ? Math.round((100 * lab.completedSteps) / lab.stepCount) : 0;
  const action = lab.activeSessionId ? 'Continue' : status === 'finished' ? 'Do it again' : status === 'started' ? 'Resume' : 'Start';
  return (
    <li class={`card lab-card status-${status}`} data-lab-id={lab.id}>
      <div class="lab-card-top">
        <span class={`badge level-${lab.difficulty}`}>{lab.difficulty}</span>
        <span class="muted small">{lab.minutes} min</span>
        {status === 'finished' ? <span class="badge done">✓ Finished</span> : null}
        {lab.activeSessionId ? <span class="badge live">Running</span> : null}
      </div>
      <h3>{lab.title}</h3>
      <p>{lab.summary}</p>
      {lab.tags.length ? (
        <ul class="tags" aria-label="Topics">
          {lab.tags.map((t) => (
            <li>{t}</li>
          ))}
        </ul>
      ) : null}
      {missing.length ? (
        <p class="prereq small">
          Do first: {missing.map((m, i) => (
            <span>
              {i ? ', ' : ''}
              {m.title}
            </span>
          ))}
        </p>
      ) : lab.prerequisites.length ? (
        <p class="prereq small ok">Prerequisites done</p>
      ) : null}
      <div class="lab-card-bottom">
        <div class="progress" role="progressbar" aria-label={`${lab.title} progress`} aria-valuemin={0} aria-valuemax={lab.stepCount} aria-valuenow={lab.completedSteps} aria-valuetext={`${lab.completedSteps} of ${lab.stepCount} steps done`}>
          <span style={{ width: `${pct}%` }} />
        </div>
        <span class="small muted">
          {lab.completedSteps}/{lab.stepCount} steps
        </span>
        <button type="button" class={`btn ${status === 'finished' ? '' : 'primary'}`} onClick={onStart} disabled={disabled} aria-label={`${action}: ${lab.title}`}>
          {busy ? 'Starting…' : action}
        </button>
      </div>
    </li>
  );
}
