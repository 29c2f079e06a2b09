/** The instructor's classes: current ones first, archived ones folded away. */
import type { ClassSummaryView } from '../../../server/contracts/classroom';
import { ErrorBox } from '../components/common';
import { iapi } from './instructor-api';
import { formatWhen } from './fields';
import { ITable } from './itable';
import { useLoad } from './use-load';

export function ClassesPage() {
  const { data: classes, error, reload } = useLoad(() => iapi.classes().then((r) => r.classes));
  if (error) return <ErrorBox message={error} onRetry={reload} />;
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
    <ITable columns={['Class', 'Students', 'Running now', 'Labs', 'Schedule', { srOnly: 'Open' }]}>
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
    </ITable>
  );
}
