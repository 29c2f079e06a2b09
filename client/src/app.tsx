import { useEffect, useState } from 'preact/hooks';
import type { ComponentType } from 'preact';
import type { StudentView } from '../../server/contracts/protocol';
import { api, ApiError } from './api';
import { useRoute, navigate, isInstructorRoute, type Route } from './router';
import { getTheme, onTheme, setTheme, type Theme } from './theme';
import { Join } from './components/join';
import { Catalog } from './components/catalog';
import { ErrorBox } from './components/common';
import { errorText } from './error-text';
import { loadLabPage, prepareForStart } from './start-preload';

type LabPageProps = { sessionId: string; student: StudentView; onTitle: (t: string) => void };
type InstructorAppProps = { route: Extract<Route, { name: 'instructor' | 'setup' }> };

export function App() {
  const [student, setStudent] = useState<StudentView | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [LabPage, setLabPage] = useState<ComponentType<LabPageProps> | null>(null);
  const [InstructorApp, setInstructorApp] = useState<ComponentType<InstructorAppProps> | null>(null);
  const [title, setTitle] = useState('');
  const route = useRoute();

  const loadMe = () => {
    setError(null);
    api
      .me()
      .then((r) => setStudent(r.student))
      .catch((e: unknown) => {
        if (e instanceof ApiError && (e.status === 401 || e.status === 403)) setStudent(null);
        else setError(errorText(e));
      });
  };
  useEffect(loadMe, []);

  // The lab page (and xterm with it) is loaded only when needed.
  useEffect(() => {
    if (route.name === 'session' && !LabPage) {
      loadLabPage()
        .then((m) => setLabPage(() => m.LabPage))
        .catch(() => setError('Part of Berth failed to load. Reload the page to try again.'));
    }
  }, [route.name, LabPage]);

  // A joined student at the catalog will most likely press Start next.
  const atCatalog = Boolean(student) && route.name === 'catalog';
  useEffect(() => (atCatalog ? prepareForStart() : undefined), [atCatalog]);

  // The instructor pages are their own chunk: a student's browser never downloads them.
  const instructorRoute = isInstructorRoute(route);
  useEffect(() => {
    if (instructorRoute && !InstructorApp) {
      import('./instructor/instructor-app')
        .then((m) => setInstructorApp(() => m.InstructorApp))
        .catch(() => setError('Part of Berth failed to load. Reload the page to try again.'));
    }
  }, [instructorRoute, InstructorApp]);

  useEffect(() => {
    if (instructorRoute) return; // the instructor pages set their own titles
    document.title = route.name === 'session' && title ? `${title} · Berth` : 'Berth';
  }, [route.name, title]);

  let main;
  if (isInstructorRoute(route)) main = InstructorApp ? <InstructorApp route={route} /> : error ? <ErrorBox message={error} /> : <p class="loading" role="status">Loading…</p>;
  else if (error) main = <ErrorBox message={error} onRetry={loadMe} />;
  else if (student === undefined) main = <p class="loading" role="status">Loading…</p>;
  else if (student === null) main = <Join onJoined={setStudent} initialCode={route.name === 'join' ? route.code : ''} />;
  else if (route.name === 'join') main = <Join onJoined={setStudent} initialCode={route.code} current={student} onContinue={() => navigate('#/', true)} />;
  else if (route.name === 'session')
    main = LabPage ? <LabPage key={route.id} sessionId={route.id} student={student} onTitle={setTitle} /> : <p class="loading" role="status">Loading the lab…</p>;
  else main = <Catalog student={student} />;

  return (
    <div class={`app route-${route.name}`}>
      <a class="skip-link" href="#main">Skip to content</a>
      <header class="topbar">
        <a
          class="brand"
          href="#/"
          onClick={(e) => {
            e.preventDefault();
            navigate('#/');
          }}
        >
          <span aria-hidden="true" class="brand-mark">⚓</span> Berth
        </a>
        {route.name === 'session' && title ? <span class="topbar-title">{title}</span> : null}
        <span class="spacer" />
        {student && !instructorRoute ? <span class="student" title="Your display name">{student.name}</span> : null}
        <ThemeToggle />
      </header>
      <main id="main" tabIndex={-1}>
        {main}
      </main>
    </div>
  );
}

function ThemeToggle() {
  const [theme, set] = useState<Theme>(getTheme());
  useEffect(() => onTheme(set), []);
  const next = theme === 'dark' ? 'light' : 'dark';
  return (
    <button type="button" class="btn ghost small" onClick={() => setTheme(next)} aria-label={`Switch to ${next} theme`} title={`Switch to ${next} theme`}>
      {theme === 'dark' ? '☀' : '☾'}
    </button>
  );
}
