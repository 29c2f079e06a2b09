/** The instructor's classes: current ones first, archived ones folded away. */
import { useEffect, useState } from 'preact/hooks';
import type { ClassSummaryView } from '../../../server/contracts/classroom';
import { ErrorBox } from '../components/common';
import { iapi } from './instructor-api';
import { errorText, formatWhen } from './fields';

export function ClassesPage() {
  const [classes, setClasses] = useState<ClassSummaryView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = () => {
    setError(null);
    iapi
      .classes()
      .then((r) => setClasses(r.classes))
      .catch((e: unknown) => setError(errorText(e)));
  };
  useEffect(load, []);
  if (error) return <ErrorBox message={error} onRetry={load} />;
  if (!classes) return <p class="loading" role="status">Loading the classes…</p>;
  const current = classes.filter((c) => !c.archived);
  const archived = classes.filter((c) => c.archived);
  return (
    <section aria-labelledby="classes-title">
      <div class="ihead">
        <h1 id="classes-title">Classes</h1>
        <span class="spacer" />
        <a class="btn primary" href="#/instructor/classes/new">
          New class
        </a>
      </div>
      {current.length === 0 ? <p class="muted">No class yet. Create one, then show its join code to your students.</p> : <ClassTable classes={current} />}
      {archived.length ? (
        <details class="archived">
          <summary>Archived classes ({archived.length})</summary>
          <ClassTable classes={archived} />
        </details>
      ) : null}
    </section>
  );
}

function ClassTable({ classes }: { classes: ClassSummaryView[] }) {
  return (
    <table class="itable">
      <thead>
        <tr>
          <th scope="col">Class</th>
          <th scope="col">Students</th>
          <th scope="col">Running now</th>
          <th scope="col">Labs</th>
          <th scope="col">Schedule</th>
          <th scope="col">
            <span class="sr-only">Open</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {classes.map((c) => (
          <tr key={c.id} data-class-id={c.id}>
            <th scope="row">
              <a href={`#/instructor/classes/${encodeURIComponent(c.id)}`}>{c.name}</a>
              {c.openPractice ? <span class="badge">open practice</span> : null}
              {c.archived ? <span class="badge">archived</span> : null}
            </th>
            <td>
              {c.students} / {c.seats}
            </td>
            <td>{c.running}</td>
            <td>{c.labCount}</td>
            <td class="small">{c.startsAt ? `${formatWhen(c.startsAt)} – ${formatWhen(c.endsAt)}` : '–'}</td>
            <td>
              <a class="btn small" href={`#/instructor/classes/${encodeURIComponent(c.id)}/live`} aria-label={`Live view of ${c.name}`}>
                Live view
              </a>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
