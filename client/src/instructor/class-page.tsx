/**
 * One class: the join code large enough for a projector (with URL and QR),
 * code controls and one-time codes, the roster with re-admit, results and
 * archive.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ClassView, InstructorView } from '../../../server/contracts/classroom';
import { ErrorBox } from '../components/common';
import { formatCode } from '../logic/join';
import { joinUrlWarning } from '../logic/join-url-warning';
import { formatAgo } from '../logic/grid';
import { toLocalInput, fromLocalInput } from '../logic/class-form';
import { iapi } from './instructor-api';
import { formatWhen } from './fields';
import { errorText } from '../error-text';
import { FormError } from './feedback';
import { ITable } from './itable';
import { useLoad } from './use-load';

export function ClassPage({ classId }: { classId: string; me: InstructorView }) {
  const loaded = useLoad(() => iapi.getClass(classId).then((r) => r.class), [classId]);
  const [projector, setProjector] = useState(false);
  const cls = loaded.data;
  const setCls = loaded.setData;

  if (loaded.error) return <ErrorBox message={loaded.error} onRetry={loaded.reload} />;
  if (!cls) return <p class="loading" role="status">Loading the class…</p>;
  const base = `#/instructor/classes/${encodeURIComponent(cls.id)}`;

  const archive = async (archived: boolean) => {
    try {
      setCls((await iapi.updateClass(cls.id, { archived })).class);
    } catch (e) {
      loaded.setError(errorText(e));
    }
  };

  return (
    <section class="class-page" aria-labelledby="class-title">
      <div class="ihead">
        <h1 id="class-title">{cls.name}</h1>
        {cls.archived ? <span class="badge">archived (read-only)</span> : null}
        <span class="spacer" />
        <a class="btn primary" href={`${base}/live`}>
          Live view
        </a>
        <a class="btn" href={`${base}/analytics`}>
          Results and analytics
        </a>
        {!cls.archived ? (
          <a class="btn" href={`${base}/edit`}>
            Edit
          </a>
        ) : null}
      </div>
      <p class="muted">
        {cls.students} of {cls.seats} seats taken · {cls.running} running now · {cls.labs.length} labs
        {cls.startsAt ? ` · ${formatWhen(cls.startsAt)} – ${formatWhen(cls.endsAt)}` : ''}
        {cls.instructors.length ? ` · taught by ${cls.instructors.map((i) => i.name).join(', ')}` : ''}
      </p>
      {cls.prewarm ? (
        <p class="prewarm" role="status">
          {cls.prewarm.target > 0 ? (
            <>
              Machines warmed for this class's first lab: <strong>{cls.prewarm.ready}</strong> of {cls.prewarm.target} ready
            </>
          ) : (
            'Machines for the first lab are warmed up shortly before the class starts.'
          )}
        </p>
      ) : null}
      {!cls.openPractice ? <CodePanel cls={cls} setCls={setCls} projector={projector} setProjector={setProjector} /> : <p class="notice">Open practice: students join with a name alone, no code.</p>}
      <Roster classId={cls.id} archived={cls.archived} />
      <section class="isection" aria-labelledby="term-end">
        <h2 id="term-end">End of term</h2>
        <p class="muted small">An archived class is read-only: nobody can join it, the labs still open in it end, and its results stay exportable.</p>
        <button type="button" class="btn" onClick={() => void archive(!cls.archived)}>
          {cls.archived ? 'Reopen the class' : 'Archive the class'}
        </button>
      </section>
    </section>
  );
}

function CodePanel({ cls, setCls, projector, setProjector }: { cls: ClassView; setCls: (c: ClassView) => void; projector: boolean; setProjector: (b: boolean) => void }) {
  const [error, setError] = useState<string | null>(null);
  const [expires, setExpires] = useState(toLocalInput(cls.joinCode.expiresAt));
  const [count, setCount] = useState('30');
  const [codes, setCodes] = useState<string[] | null>(null);
  const code = cls.joinCode;
  const usable = code.code && code.enabled && !(code.expiresAt !== null && code.expiresAt < Date.now());
  const unreachable = joinUrlWarning(code.joinUrl);

  const act = async (a: Parameters<typeof iapi.codeAction>[1]) => {
    setError(null);
    try {
      setCls((await iapi.codeAction(cls.id, a)).class);
    } catch (e) {
      setError(errorText(e));
    }
  };
  const makeCodes = async () => {
    setError(null);
    const n = Number(count);
    if (!Number.isInteger(n) || n < 1 || n > 200) {
      setError('One-time codes: a whole number from 1 to 200.');
      return;
    }
    try {
      setCodes((await iapi.oneTimeCodes(cls.id, n)).codes);
    } catch (e) {
      setError(errorText(e));
    }
  };
  const setExpiry = () => {
    const at = fromLocalInput(expires);
    if (Number.isNaN(at)) setError('The expiry is not a date and time.');
    else void act({ action: 'expire', expiresAt: at });
  };

  return (
    <section class={`isection code-panel ${projector ? 'projector' : ''}`} aria-labelledby="code-title">
      <h2 id="code-title">{projector ? `Join ${cls.name}` : 'Join code'}</h2>
      <div class="code-show">
        <div>
          <p class="join-code-big" aria-label={code.code ? `Join code ${code.code.split('').join(' ')}` : 'No join code'} data-code={code.code ?? ''}>
            {code.code ? formatCode(code.code) : '—'}
          </p>
          {!usable ? <p class="bad">{!code.enabled ? 'The code is disabled: nobody can join with it.' : 'The code has expired.'}</p> : null}
          {code.joinUrl ? (
            <p class="join-url">
              Go to <strong>{code.joinUrl.replace(/#.*$/, '')}</strong> and type the code, or open <a href={code.joinUrl}>{code.joinUrl}</a>
            </p>
          ) : null}
          {unreachable && !projector ? (
            <p class="notice join-url-warning" role="alert">
              {unreachable}
            </p>
          ) : null}
        </div>
        {code.code && code.enabled ? <img class="qr" src={`${iapi.qrUrl(cls.id)}?c=${encodeURIComponent(code.code)}`} alt={`QR code of the join link ${code.joinUrl ?? ''}`} width={220} height={220} /> : null}
      </div>
      <div class="row no-print">
        <button type="button" class="btn" aria-pressed={projector} onClick={() => setProjector(!projector)}>
          {projector ? 'Leave projector view' : 'Projector view'}
        </button>
        {!cls.archived && !projector ? (
          <>
            <button type="button" class="btn" onClick={() => void act({ action: 'rotate' })}>
              New code
            </button>
            {code.enabled ? (
              <button type="button" class="btn" onClick={() => void act({ action: 'disable' })}>
                Disable code
              </button>
            ) : (
              <button type="button" class="btn" onClick={() => void act({ action: 'enable' })}>
                Enable code
              </button>
            )}
            <label for="code-expires">Expires</label>
            <input id="code-expires" type="datetime-local" value={expires} onInput={(e) => setExpires((e.target as HTMLInputElement).value)} />
            <button type="button" class="btn small" onClick={setExpiry}>
              {expires ? 'Set expiry' : 'Never expires'}
            </button>
          </>
        ) : null}
      </div>
      {!cls.archived ? (
        <details class="one-time no-print-unless-open">
          <summary>One-time codes (exams)</summary>
          <p class="muted small">Each code lets one student in once. Print the list and hand them out.</p>
          <div class="row no-print">
            <label for="otc-count">How many</label>
            <input id="otc-count" inputMode="numeric" size={4} value={count} onInput={(e) => setCount((e.target as HTMLInputElement).value)} />
            <button type="button" class="btn small" onClick={() => void makeCodes()}>
              Make codes
            </button>
            {codes ? (
              <button type="button" class="btn small" onClick={() => window.print()}>
                Print
              </button>
            ) : null}
          </div>
          {codes ? (
            <ol class="otc-list" aria-label="One-time codes">
              {codes.map((c) => (
                <li>
                  <span class="otc-class">{cls.name}</span> <code>{formatCode(c)}</code>
                </li>
              ))}
            </ol>
          ) : null}
        </details>
      ) : null}
      <FormError error={error} />
    </section>
  );
}

const STATE_WORDS: Record<string, string> = {
  none: 'no lab open',
  queued: 'waiting for a place',
  starting: 'starting',
  running: 'running',
  paused: 'paused',
  ended: 'ended',
  failed: 'failed to start',
};

function Roster({ classId, archived }: { classId: string; archived: boolean }) {
  const roster = useLoad(() => iapi.roster(classId).then((r) => r.roster), [classId]);
  // Coming back to the tab is when a teacher expects fresh states.
  useEffect(() => {
    const onFocus = () => roster.reload();
    window.addEventListener('focus', onFocus);
    return () => window.removeEventListener('focus', onFocus);
  }, [classId]);

  const readmit = async (studentId: string) => {
    try {
      await iapi.readmit(classId, studentId);
      roster.reload();
    } catch (e) {
      roster.setError(errorText(e));
    }
  };

  return (
    <section class="isection" aria-labelledby="roster-title">
      <div class="ihead">
        <h2 id="roster-title">Roster</h2>
        <span class="spacer" />
        <button type="button" class="btn small" onClick={roster.reload}>
          Refresh
        </button>
      </div>
      {roster.error ? <ErrorBox message={roster.error} onRetry={roster.reload} /> : null}
      {!roster.data ? (
        <p class="loading">Loading…</p>
      ) : roster.data.length === 0 ? (
        <p class="muted">Nobody has joined yet.</p>
      ) : (
        <ITable class="roster" columns={['Student', 'Lab', 'State', 'Last activity', 'Joined', { srOnly: 'Actions' }]}>
          {roster.data.map((r) => {
            const state = r.session?.state ?? 'none';
            return (
              <tr key={r.studentId} data-student={r.name} data-state={state}>
                <th scope="row">{r.name}</th>
                <td>{r.session?.labId ?? '–'}</td>
                <td class={`state state-${state}`}>{r.admitted ? STATE_WORDS[state] ?? state : 'locked out'}</td>
                <td>{formatAgo(r.lastActivityAt, roster.loadedAt)}</td>
                <td class="small">{formatWhen(r.joinedAt)}</td>
                <td>
                  {!archived ? (
                    <button type="button" class="btn small" onClick={() => void readmit(r.studentId)} aria-label={`Re-admit ${r.name}`} title="Let this student back in (once) by code and name, from any computer">
                      Re-admit
                    </button>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </ITable>
      )}
    </section>
  );
}
