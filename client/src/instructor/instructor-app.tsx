/**
 * The instructor's pages: a separate chunk, loaded only on #/instructor and
 * #/setup routes. Signs in (or runs the first-start setup), then routes among
 * the classes, the live grid, analytics and the admin pages.
 */
import './instructor.css';
import { useEffect, useState } from 'preact/hooks';
import type { InstructorView } from '../../../server/contracts/classroom';
import { ApiError } from '../api';
import { navigate, type Route } from '../router';
import { ErrorBox } from '../components/common';
import { iapi, SIGNED_OUT_EVENT } from './instructor-api';
import { reconnectSocket } from './instructor-socket';
import { LoginPage, SetupPage } from './sign-in';
import { ClassesPage } from './classes-page';
import { ClassFormPage } from './class-form-page';
import { ClassPage } from './class-page';
import { LiveGridPage } from './live-grid-page';
import { AnalyticsPage } from './analytics-page';
import { AuditPage, InstructorsPage, LoginsPage } from './admin-pages';
import { errorText } from '../error-text';

type Props = { route: Extract<Route, { name: 'instructor' | 'setup' }> };

export function InstructorApp({ route }: Props) {
  const [me, setMe] = useState<InstructorView | null | undefined>(undefined);
  const [needsSetup, setNeedsSetup] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = () => {
    setError(null);
    iapi
      .me()
      .then((r) => setMe(r.instructor))
      .catch(async (e: unknown) => {
        if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
          setMe(null);
          setNeedsSetup(await iapi.setupStatus().then((s) => s.needsSetup).catch(() => false));
        } else setError(errorText(e));
      });
  };
  useEffect(load, []);
  useEffect(() => {
    const onSignedOut = () => setMe(null);
    window.addEventListener(SIGNED_OUT_EVENT, onSignedOut);
    return () => window.removeEventListener(SIGNED_OUT_EVENT, onSignedOut);
  }, []);

  const signedIn = (i: InstructorView) => {
    setMe(i);
    reconnectSocket();
    navigate('#/instructor', true);
  };
  const signOut = async (everywhere: boolean) => {
    try {
      await (everywhere ? iapi.logoutAll() : iapi.logout());
    } finally {
      setMe(null);
      reconnectSocket();
      navigate('#/instructor', true);
    }
  };

  useEffect(() => {
    document.title = 'Berth · Instructor';
  }, [route]);

  if (route.name === 'setup') return <SetupPage token={route.token} onDone={signedIn} />;
  if (error) return <ErrorBox message={error} onRetry={load} />;
  if (me === undefined) return <p class="loading" role="status">Loading…</p>;
  if (me === null) return <LoginPage needsSetup={needsSetup} onDone={signedIn} />;

  const [a, b, c] = route.path;
  let page;
  if (!a || (a === 'classes' && !b)) page = <ClassesPage />;
  else if (a === 'classes' && b === 'new') page = <ClassFormPage classId={null} />;
  else if (a === 'classes' && b && c === 'edit') page = <ClassFormPage classId={b} />;
  else if (a === 'classes' && b && c === 'live') page = <LiveGridPage classId={b} me={me} />;
  else if (a === 'classes' && b && c === 'analytics') page = <AnalyticsPage classId={b} />;
  else if (a === 'classes' && b) page = <ClassPage classId={b} me={me} />;
  else if (a === 'instructors') page = <InstructorsPage me={me} />;
  else if (a === 'logins') page = <LoginsPage onSignOutEverywhere={() => signOut(true)} />;
  else if (a === 'audit') page = <AuditPage />;
  else page = <ErrorBox message="There is no such instructor page." />;

  const here = a ?? 'classes';
  const link = (href: string, key: string, label: string) => (
    <a href={href} class={`inav-link ${here === key ? 'current' : ''}`} aria-current={here === key ? 'page' : undefined}>
      {label}
    </a>
  );
  return (
    <div class="instructor">
      <nav class="inav" aria-label="Instructor">
        {link('#/instructor', 'classes', 'Classes')}
        {me.role === 'owner' ? link('#/instructor/instructors', 'instructors', 'Instructors') : null}
        {link('#/instructor/audit', 'audit', 'Audit log')}
        {link('#/instructor/logins', 'logins', 'Sign-ins')}
        <span class="spacer" />
        <span class="muted small">
          {me.name} ({me.role})
        </span>
        <button type="button" class="btn small" onClick={() => void signOut(false)}>
          Sign out
        </button>
      </nav>
      <div class="ipage">{page}</div>
    </div>
  );
}
