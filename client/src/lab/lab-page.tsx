/** The lab page: instructions beside the lab machines' terminals, live session state. */
import '@xterm/xterm/css/xterm.css';
import { FileTransfer } from './file-transfer';
import { EditorTab } from './editor/editor-tab';
import { useOpenInEditor } from './editor/open-in-editor';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { CheckResultEvent, ProgressView, SessionStatusEvent, SessionView, StudentView } from '../../../server/contracts/protocol';
import { api, ApiError } from '../api';
import { navigate } from '../router';
import { getSocket, onConnectionState, connectionState, request, type ConnectionState } from '../socket';
import { applyCheck, applyProgress, finish, goto, initLabState, type LabState } from '../logic/steps';
import { clampSplit, describeTimeLeft, formatTimeLeft, typedCommand } from '../logic/format';
import { getTheme, onTheme } from '../theme';
import { ErrorBox, Spinner } from '../components/common';
import { Instructions } from './instructions';
import { TerminalHub } from './terminal-hub';
import { NoticesBanner } from './notices-banner';
import { TakeoverBanner } from './takeover-banner';
import { useFollowReset } from './follow-reset';
import type { TerminalStatus } from '../terminal/terminal-view';

const ACTIVE: SessionView['state'][] = ['running'];

export function LabPage({ sessionId, onTitle }: { sessionId: string; student: StudentView; onTitle: (t: string) => void }) {
  const [session, setSession] = useState<SessionView | null>(null);
  const [error, setError] = useState<{ message: string; status: number } | null>(null);
  const [lab, setLab] = useState<LabState | null>(null);
  const [conn, setConn] = useState<ConnectionState>(connectionState());
  const [watched, setWatched] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const sessionRef = useRef<SessionView | null>(null);
  sessionRef.current = session;

  const load = useCallback(async () => {
    setError(null);
    try {
      const r = await api.session(sessionId);
      setSession(r.session);
      onTitle(r.session.lab.title);
      setLab((prev) =>
        prev ?? initLabState(stepInfos(r.session), r.session.progress),
      );
    } catch (e) {
      setError({ message: e instanceof Error ? e.message : String(e), status: e instanceof ApiError ? e.status : 0 });
    }
  }, [sessionId]);

  useEffect(() => {
    void load();
  }, [load]);

  // Live events for this session.
  useEffect(() => {
    const s = getSocket();
    const watch = async () => {
      setWatched(false);
      try {
        const r = await request('session:watch', { sessionId });
        if (r.ok) setWatched(true);
        else setNotice(r.error ?? 'Live updates are not available for this lab.');
      } catch (e) {
        setNotice(e instanceof Error ? e.message : String(e));
      }
    };
    const onStatus = (ev: SessionStatusEvent) => {
      if (ev.sessionId !== sessionId) return;
      const prev = sessionRef.current;
      setSession((cur) =>
        cur
          ? {
              ...cur,
              state: ev.state,
              queuePosition: ev.queuePosition,
              detail: ev.detail,
              error: ev.error,
              expiresAt: ev.expiresAt ?? cur.expiresAt,
            }
          : cur,
      );
      // Machines and tabs are known once running: fetch the full view.
      if (ev.state === 'running' && (!prev || prev.state !== 'running' || prev.machines.length === 0)) void load();
    };
    const onProgress = (ev: { sessionId: string; progress: ProgressView }) => {
      if (ev.sessionId !== sessionId) return;
      setSession((cur) => (cur ? { ...cur, progress: ev.progress } : cur));
      setLab((cur) => (cur ? applyProgress(cur, ev.progress) : cur));
    };
    const onCheck = (ev: CheckResultEvent) => {
      if (ev.sessionId !== sessionId) return;
      setLab((cur) => (cur ? applyCheck(cur, ev) : cur));
    };
    const onConnect = () => void watch();
    const onDisconnect = () => setWatched(false);
    s.on('connect', onConnect);
    s.on('disconnect', onDisconnect);
    s.on('session:status', onStatus);
    s.on('progress', onProgress);
    s.on('check:result', onCheck);
    if (s.connected) void watch();
    const offConn = onConnectionState(setConn);
    return () => {
      s.off('connect', onConnect);
      s.off('disconnect', onDisconnect);
      s.off('session:status', onStatus);
      s.off('progress', onProgress);
      s.off('check:result', onCheck);
      offConn();
    };
  }, [sessionId, load]);

  if (error) {
    const gone = error.status === 404 || error.status === 403;
    return (
      <ErrorBox message={gone ? 'This lab session does not exist any more. Start the lab again from the catalog.' : error.message} onRetry={gone ? undefined : load}>
        <button type="button" class="btn" onClick={() => navigate('#/')}>
          Back to the labs
        </button>
      </ErrorBox>
    );
  }
  if (!session || !lab) {
    return (
      <p class="loading" role="status">
        <Spinner /> Opening your lab…
      </p>
    );
  }
  return (
    <LabLayout
      session={session}
      setSession={setSession}
      lab={lab}
      setLab={setLab}
      conn={conn}
      watched={watched}
      notice={notice}
      reload={load}
    />
  );
}

interface LayoutProps {
  session: SessionView;
  setSession: (s: SessionView) => void;
  lab: LabState;
  setLab: (f: (l: LabState | null) => LabState | null) => void;
  conn: ConnectionState;
  watched: boolean;
  notice: string | null;
  reload: () => Promise<void>;
}

function LabLayout({ session, setSession, lab, setLab, conn, watched, notice, reload }: LayoutProps) {
  const running = ACTIVE.includes(session.state);
  useFollowReset(session.id, session.labId, session.state === 'ended');
  const [tab, setTab] = useState<string>(() => `term:${session.machines[0] ?? ''}`);
  const [opened, setOpened] = useState<Set<string>>(new Set());
  const [termStatus, setTermStatus] = useState<Record<string, { status: TerminalStatus; message?: string }>>({});
  const [split, setSplit] = useState(() => clampSplit(Number(localStorage.getItem('berth.split') ?? 0.42)));
  const [actionError, setActionError] = useState<string | null>(null);
  const [attachGen, setAttachGen] = useState(0);
  const termBox = useRef<HTMLDivElement>(null);
  const editorRequests = useOpenInEditor(session.machines, (machine) => setTab(`edit:${machine}`));
  const hub = useRef<TerminalHub | null>(null);
  // More terminals on request (`machine:2`, …), remembered per session so a reload brings them back.
  const extrasKey = `berth.terms.${session.id}`;
  const [extras, setExtras] = useState<string[]>(() => {
    try {
      const saved = JSON.parse(localStorage.getItem(extrasKey) ?? '[]') as unknown;
      return Array.isArray(saved) ? saved.filter((x): x is string => typeof x === 'string') : [];
    } catch {
      return [];
    }
  });
  const terminals = useMemo(
    () => [
      ...session.machines.map((m) => ({ id: m, machine: m })),
      ...extras.map((id) => ({ id, machine: machineOf(id) })).filter((t) => session.machines.includes(t.machine)),
    ],
    [session.machines.join(','), extras.join(',')],
  );
  const saveExtras = (next: string[]) => {
    setExtras(next);
    try {
      localStorage.setItem(extrasKey, JSON.stringify(next));
    } catch {
      /* private mode: extra terminals just are not remembered */
    }
  };

  // Terminals live outside Preact: one hub per session page.
  useEffect(() => {
    if (!termBox.current) return;
    const h = new TerminalHub(session.id, termBox.current, getTheme(), (machine, status, message) =>
      setTermStatus((cur) => ({ ...cur, [machine]: { status, message } })),
    );
    hub.current = h;
    const offTheme = onTheme((t) => h.setTheme(t));
    const s = getSocket();
    const onDisconnect = () => h.disconnected();
    s.on('disconnect', onDisconnect);
    const fit = () => h.fitAll();
    window.addEventListener('resize', fit);
    return () => {
      offTheme();
      s.off('disconnect', onDisconnect);
      window.removeEventListener('resize', fit);
      h.dispose();
      hub.current = null;
    };
  }, [session.id]);

  const machinesKey = terminals.map((t) => t.id).join(',');
  const wasWatched = useRef(false);
  useEffect(() => {
    const h = hub.current;
    const fresh = watched && !wasWatched.current;
    wasWatched.current = watched;
    if (!h || !running || session.machines.length === 0) return;
    h.ensure(terminals);
    if (tab.startsWith('term:') && !terminals.some((t) => t.id === tab.slice(5))) setTab(`term:${session.machines[0]}`);
    if (fresh) h.connected(); // a new (re)connection: re-attach everything from its byte count
    else if (watched) h.attachAll(); // only terminals not attached yet
  }, [running, machinesKey, watched, attachGen]);

  useEffect(() => {
    if (tab.startsWith('term:')) hub.current?.show(tab.slice(5));
    setOpened((o) => (o.has(tab) ? o : new Set(o).add(tab)));
  }, [tab]);

  useEffect(() => {
    hub.current?.fitAll();
    try {
      localStorage.setItem('berth.split', String(split));
    } catch {
      /* ignore */
    }
  }, [split]);

  const run = (machine: string, command: string, mode: 'run' | 'paste'): string | null => {
    const h = hub.current;
    if (!running || !h) return 'The lab machines are not ready yet.';
    if (conn !== 'connected') return 'Not connected to Berth right now; wait for the connection to come back.';
    const m = session.machines.includes(machine) ? machine : session.machines[0]!;
    setTab(`term:${m}`);
    h.show(m);
    const v = h.view(m);
    if (v && v.status === 'watching') return 'You are watching this terminal and cannot type in it.';
    return h.type(m, typedCommand(command, mode)) ? null : 'This terminal is not ready; try again in a moment.';
  };

  const ctx = useMemo(
    () => ({
      sessionId: session.id,
      run,
      quizState: (quizId: string) => session.progress.quizAnswers[quizId],
    }),
    [session, running, conn],
  );

  const onGoto = (step: number) => {
    setLab((l) => (l ? goto(l, step) : l));
    request('step:goto', { sessionId: session.id, step }).catch(() => undefined);
  };
  const onCheck = (step: number) => {
    setLab((l) => (l ? applyCheck(l, { step, status: 'running', trigger: 'button' }) : l));
    request('check:run', { sessionId: session.id, step })
      .then((r) => {
        if (!r.ok) setLab((l) => (l ? applyCheck(l, { step, status: 'failed', trigger: 'button', feedback: r.error ?? 'The check could not run.' }) : l));
      })
      .catch((e: unknown) =>
        setLab((l) => (l ? applyCheck(l, { step, status: 'failed', trigger: 'button', feedback: e instanceof Error ? e.message : String(e) }) : l)),
      );
  };

  const act = async (action: 'stop' | 'reset' | 'resume' | 'extend') => {
    setActionError(null);
    try {
      const r = await api.action(session.id, action);
      if (action === 'reset' && r.session.id !== session.id) {
        // A reset is a brand-new session: open it (fresh terminals, fresh progress).
        navigate(`#/session/${r.session.id}`, true);
        return;
      }
      if (action === 'reset') {
        hub.current?.restartAll();
        setAttachGen((g) => g + 1); // re-attach from zero once the fresh machines run
        setLab(() => initLabState(stepInfos(r.session), r.session.progress));
      }
      setSession(r.session);
      if (action === 'stop') navigate('#/');
    } catch (e) {
      setActionError(e instanceof Error ? e.message : String(e));
    }
  };

  const restart = async () => {
    setActionError(null);
    try {
      const r = await api.startSession(session.labId);
      navigate(`#/session/${r.session.id}`, true);
    } catch (e) {
      if (e instanceof ApiError && e.status === 409 && typeof e.body.activeSessionId === 'string') navigate(`#/session/${e.body.activeSessionId}`, true);
      else setActionError(e instanceof Error ? e.message : String(e));
    }
  };

  const activeTerminal = tab.startsWith('term:') ? tab.slice(5) : '';
  const activeMachine = activeTerminal ? machineOf(activeTerminal) : '';
  const activeTerm = termStatus[activeTerminal];

  const newTerminal = () => {
    if (!activeMachine) return;
    let n = 2;
    while (extras.includes(`${activeMachine}:${n}`)) n++;
    if (n > 9) return;
    const id = `${activeMachine}:${n}`;
    saveExtras([...extras, id]);
    setTab(`term:${id}`);
  };
  const closeTerminal = (id: string) => {
    hub.current?.close(id);
    saveExtras(extras.filter((x) => x !== id));
    if (tab === `term:${id}`) setTab(`term:${machineOf(id)}`);
  };

  return (
    <div class="lab" style={{ '--split': `${(split * 100).toFixed(2)}%` } as Record<string, string>}>
      <SessionBar session={session} conn={conn} onAction={act} />
      <TakeoverBanner sessionId={session.id} />
      <NoticesBanner />
      {actionError ? (
        <div class="notice bad" role="alert">
          {actionError}
          <button type="button" class="btn small ghost" onClick={() => setActionError(null)}>
            Dismiss
          </button>
        </div>
      ) : null}
      {notice && conn === 'connected' && !watched ? <div class="notice" role="status">{notice}</div> : null}
      <div class="lab-split">
        <section class="pane pane-left" aria-label="Instructions">
          {lab.finished ? (
            <FinishScreen session={session} onBack={() => setLab((l) => (l ? { ...l, finished: false } : l))} onEnd={() => act('stop')} />
          ) : (
            <Instructions
              session={session}
              lab={lab}
              ctx={ctx}
              onGoto={onGoto}
              onFinish={() => setLab((l) => (l ? finish(l) : l))}
              onCheck={onCheck}
              running={running && conn === 'connected'}
            />
          )}
        </section>
        <Splitter split={split} setSplit={setSplit} />
        <section class="pane pane-right" aria-label="Lab machines">
          <div class="tabs" role="tablist" aria-label="Terminals and web pages">
            {terminals.map((t) =>
              t.id === t.machine ? (
                <TabButton id={`term:${t.id}`} current={tab} setTab={setTab} label={t.machine} icon="›_" title={`Terminal on ${t.machine}`} />
              ) : (
                <span class="tab-with-close">
                  <TabButton id={`term:${t.id}`} current={tab} setTab={setTab} label={`${t.machine} #${t.id.slice(t.id.indexOf(':') + 1)}`} icon="›_" title={`Another terminal on ${t.machine}`} />
                  <button type="button" class="tab-close" aria-label={`Close terminal ${t.machine} #${t.id.slice(t.id.indexOf(':') + 1)}`} title="Close this terminal (ends its shell)" onClick={() => closeTerminal(t.id)}>
                    ×
                  </button>
                </span>
              ),
            )}
            {activeMachine && running ? (
              <button type="button" class="tab-new" aria-label={`New terminal on ${activeMachine}`} title={`Open another terminal on ${activeMachine}`} onClick={newTerminal}>
                +
              </button>
            ) : null}
            {running
              ? session.machines.map((m) => <TabButton id={`edit:${m}`} current={tab} setTab={setTab} label={session.machines.length > 1 ? `Editor ${m}` : 'Editor'} icon="✎" title={`Edit files on ${m}`} />)
              : null}
            {session.tabs.map((t) => (
              <TabButton id={`port:${t.machine}:${t.port}`} current={tab} setTab={setTab} label={t.title} icon="◫" title={`${t.title} (port ${t.port} on ${t.machine})`} />
            ))}
            <span class="spacer" />
            {activeTerminal && running ? <TermSearch hub={hub} terminalId={activeTerminal} /> : null}
            {activeMachine && running ? <FileTransfer sessionId={session.id} machine={activeMachine} /> : null}
          </div>
          <div class="tab-panels">
            <div class={`terminals ${tab.startsWith('term:') && running ? 'shown' : ''}`} ref={termBox} role="tabpanel" aria-label={`Terminal ${activeMachine}`} />
            {running && activeTerm && activeTerm.status !== 'live' && tab.startsWith('term:') ? (
              <TermOverlay status={activeTerm.status} message={activeTerm.message} conn={conn} onReopen={() => hub.current?.reopen(activeTerminal)} />
            ) : null}
            {session.tabs.map((t) => {
              const id = `port:${t.machine}:${t.port}`;
              if (!opened.has(id) || !running) return null;
              return <PortPanel key={id} tab={t} shown={tab === id} />;
            })}
            {running
              ? session.machines.map((m) =>
                  opened.has(`edit:${m}`) ? <EditorTab key={`edit:${m}`} shown={tab === `edit:${m}`} sessionId={session.id} machine={m} root="/root" openRequest={editorRequests[m] ?? null} /> : null,
                )
              : null}
            {!running ? <StartProgress session={session} onResume={() => act('resume')} onRestart={restart} onReload={reload} /> : null}
          </div>
        </section>
      </div>
    </div>
  );
}

/**
 * What the step logic needs of each step. A quiz, like a check, must be
 * answered before the step counts as done (the server holds the same rule).
 */
function stepInfos(session: SessionView) {
  return session.lab.steps.map((s) => ({ index: s.index, hasCheck: s.hasCheck || s.blocks.some((b) => b.kind === 'quiz') }));
}

/** `docker:2` → `docker`; a machine's main terminal id is the machine's name. */
function machineOf(terminalId: string): string {
  const colon = terminalId.indexOf(':');
  return colon < 0 ? terminalId : terminalId.slice(0, colon);
}

function TabButton({ id, current, setTab, label, icon, title }: { id: string; current: string; setTab: (t: string) => void; label: string; icon: string; title: string }) {
  const selected = id === current;
  return (
    <button
      type="button"
      role="tab"
      id={`tab-${id}`}
      class={`tab ${selected ? 'selected' : ''}`}
      aria-selected={selected}
      tabIndex={selected ? 0 : -1}
      title={title}
      data-tab={id}
      onClick={() => setTab(id)}
      onKeyDown={(e) => {
        if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
        const tabs = Array.from((e.currentTarget as HTMLElement).parentElement!.querySelectorAll<HTMLElement>('[role=tab]'));
        const i = tabs.indexOf(e.currentTarget as HTMLElement);
        const next = tabs[(i + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length];
        next?.focus();
        next?.click();
      }}
    >
      <span aria-hidden="true" class="tab-icon">
        {icon}
      </span>{' '}
      {label}
    </button>
  );
}

function TermSearch({ hub, terminalId }: { hub: { current: TerminalHub | null }; terminalId: string }) {
  const [q, setQ] = useState('');
  const find = (back: boolean) => {
    const v = hub.current?.view(terminalId);
    if (!v || !q) return;
    if (back) v.search.findPrevious(q);
    else v.search.findNext(q);
  };
  return (
    <form
      class="term-search"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        find(false);
      }}
    >
      <input type="search" aria-label="Find in terminal" placeholder="Find in terminal" value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} onKeyDown={(e) => e.key === 'Enter' && e.shiftKey && (e.preventDefault(), find(true))} />
    </form>
  );
}

function TermOverlay({ status, message, conn, onReopen }: { status: TerminalStatus; message?: string; conn: ConnectionState; onReopen: () => void }) {
  if (status === 'watching') return <div class="term-banner">You are watching this terminal (someone else is typing).</div>;
  if (status === 'attaching') return conn === 'connected' ? <div class="term-banner">Connecting to the terminal…</div> : null;
  if (status === 'offline') return <div class="term-banner warn">Connection lost. Reconnecting… Your work in the machine is safe.</div>;
  return (
    <div class="term-banner warn" role="alert">
      {status === 'ended' ? `This shell has ended${message ? ` (${message})` : ''}.` : message ?? 'The terminal could not be opened.'}{' '}
      <button type="button" class="btn small" onClick={onReopen}>
        {status === 'ended' ? 'Open a new shell' : 'Try again'}
      </button>
    </div>
  );
}

function PortPanel({ tab, shown }: { tab: SessionView['tabs'][number]; shown: boolean }) {
  const [n, setN] = useState(0);
  return (
    <div class={`port-panel ${shown ? 'shown' : ''}`} role="tabpanel" aria-label={tab.title} hidden={!shown}>
      <div class="port-bar">
        <span class="muted small">
          Port {tab.port} on {tab.machine}
        </span>
        <span class="spacer" />
        <button type="button" class="btn small" onClick={() => setN((x) => x + 1)}>
          Reload
        </button>
        <a class="btn small" href={tab.url} target="_blank" rel="noopener">
          Open in a new browser tab ↗
        </a>
      </div>
      <iframe key={n} src={tab.url} sandbox="allow-scripts allow-forms allow-popups allow-modals allow-downloads" title={`${tab.title}: port ${tab.port} on ${tab.machine}`} />
    </div>
  );
}

function Splitter({ split, setSplit }: { split: number; setSplit: (n: number) => void }) {
  const onPointerDown = (e: PointerEvent) => {
    const el = e.currentTarget as HTMLElement;
    const box = el.parentElement!.getBoundingClientRect();
    el.setPointerCapture(e.pointerId);
    document.body.classList.add('dragging');
    const move = (ev: PointerEvent) => setSplit(clampSplit((ev.clientX - box.left) / box.width));
    const up = () => {
      el.removeEventListener('pointermove', move);
      el.removeEventListener('pointerup', up);
      document.body.classList.remove('dragging');
    };
    el.addEventListener('pointermove', move);
    el.addEventListener('pointerup', up);
  };
  return (
    <div
      class="splitter"
      role="separator"
      aria-orientation="vertical"
      aria-label="Resize instructions and terminal"
      aria-valuemin={20}
      aria-valuemax={80}
      aria-valuenow={Math.round(split * 100)}
      tabIndex={0}
      onPointerDown={onPointerDown}
      onKeyDown={(e) => {
        if (e.key === 'ArrowLeft') setSplit(clampSplit(split - 0.03));
        else if (e.key === 'ArrowRight') setSplit(clampSplit(split + 0.03));
        else return;
        e.preventDefault();
      }}
    />
  );
}

function SessionBar({ session, conn, onAction }: { session: SessionView; conn: ConnectionState; onAction: (a: 'stop' | 'reset' | 'resume' | 'extend') => Promise<void> }) {
  const [now, setNow] = useState(Date.now());
  const [confirm, setConfirm] = useState<'reset' | 'stop' | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const t = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(t);
  }, []);
  const left = session.expiresAt - now;
  const live = session.state === 'running';
  const doAct = async (a: 'stop' | 'reset' | 'resume' | 'extend') => {
    setBusy(true);
    setConfirm(null);
    await onAction(a);
    setBusy(false);
  };
  const connLabel = { connecting: 'Connecting…', connected: 'Connected', reconnecting: 'Reconnecting…', offline: 'Offline' }[conn];
  return (
    <div class="session-bar">
      <span class={`conn conn-${conn}`} role="status" aria-live="polite" title="Connection to Berth">
        <span class="dot" aria-hidden="true" /> {connLabel}
      </span>
      {live && session.expiresAt ? (
        <span class={`time-left ${left < 5 * 60000 ? 'low' : ''}`} title="Time left in this lab" aria-label={describeTimeLeft(left)}>
          ◷ {formatTimeLeft(left)}
        </span>
      ) : null}
      <span class="spacer" />
      {confirm ? (
        <span class="confirm-inline" role="alertdialog" aria-label="Confirm">
          <span>{confirm === 'reset' ? 'Reset the lab? Your machines start over from scratch.' : 'End this lab? Your machines are removed; your progress is kept.'}</span>
          <button type="button" class="btn small danger" onClick={() => doAct(confirm)} disabled={busy}>
            {confirm === 'reset' ? 'Yes, reset' : 'Yes, end it'}
          </button>
          <button type="button" class="btn small" onClick={() => setConfirm(null)}>
            Cancel
          </button>
        </span>
      ) : (
        <>
          {live && session.extensionsLeft > 0 ? (
            <button type="button" class="btn small" disabled={busy} onClick={() => doAct('extend')} title={`${session.extensionsLeft} extension(s) left`}>
              More time
            </button>
          ) : null}
          <button type="button" class="btn small" disabled={busy || !live} onClick={() => setConfirm('reset')}>
            Reset lab
          </button>
          <button type="button" class="btn small danger" disabled={busy || session.state === 'ended'} onClick={() => setConfirm('stop')}>
            End lab
          </button>
        </>
      )}
    </div>
  );
}

function StartProgress({ session, onResume, onRestart, onReload }: { session: SessionView; onResume: () => void; onRestart: () => void; onReload: () => Promise<void> }) {
  const st = session.state;
  if (st === 'failed') {
    return (
      <div class="start-box">
        <ErrorBox message={session.error || session.detail || 'Your lab machines could not be started.'} onRetry={onRestart}>
          <button type="button" class="btn" onClick={() => navigate('#/')}>
            Back to the labs
          </button>
        </ErrorBox>
      </div>
    );
  }
  if (st === 'paused') {
    return (
      <div class="start-box">
        <h2>Your lab is paused</h2>
        <p>It was paused because nobody used it for a while. Your files are kept.</p>
        <button type="button" class="btn primary" onClick={onResume}>
          Resume the lab
        </button>
      </div>
    );
  }
  if (st === 'ended' || st === 'stopping') {
    return (
      <div class="start-box">
        <h2>{st === 'stopping' ? 'This lab is ending…' : 'This lab has ended'}</h2>
        <p>Your progress is saved. Start it again to get fresh machines.</p>
        <div class="row">
          <button type="button" class="btn primary" onClick={onRestart} disabled={st === 'stopping'}>
            Start again
          </button>
          <button type="button" class="btn" onClick={() => navigate('#/')}>
            Back to the labs
          </button>
        </div>
      </div>
    );
  }
  const phase = st === 'queued' ? 0 : st === 'running' ? 2 : 1;
  const items = [
    st === 'queued' ? `Waiting for a free place${session.queuePosition ? `: you are number ${session.queuePosition} in line` : ''}` : 'Place reserved',
    st === 'resuming' ? 'Waking your machines up' : 'Creating your lab machines',
    'Ready',
  ];
  return (
    <div class="start-box" role="status" aria-live="polite">
      <h2>Getting your lab ready</h2>
      <ol class="start-steps">
        {items.map((text, i) => (
          <li class={i < phase ? 'done' : i === phase ? 'now' : ''}>
            <span aria-hidden="true">{i < phase ? '✓' : i === phase ? <Spinner /> : '○'}</span> {text}
          </li>
        ))}
      </ol>
      {session.detail ? <p class="muted">{session.detail}</p> : null}
      <p class="muted small">You can read the instructions while you wait.</p>
      <button type="button" class="btn small ghost" onClick={() => void onReload()}>
        Refresh status
      </button>
    </div>
  );
}

function FinishScreen({ session, onBack, onEnd }: { session: SessionView; onBack: () => void; onEnd: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const next = session.lab.next;
  const startNext = async () => {
    if (!next) return;
    setError(null);
    try {
      await api.action(session.id, 'stop');
      const r = await api.startSession(next.id);
      navigate(`#/session/${r.session.id}`);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <div class="finish">
      <div class="finish-badge" aria-hidden="true">
        ★
      </div>
      <h2 tabIndex={-1}>You finished “{session.lab.title}”</h2>
      {session.lab.finish?.title && !/^finish$/i.test(session.lab.finish.title.trim()) ? <p class="finish-sub">{session.lab.finish.title}</p> : null}
      {session.lab.finish?.html ? <div class="prose" dangerouslySetInnerHTML={{ __html: session.lab.finish.html }} /> : null}
      <h3>What you did</h3>
      <ul class="learned">
        {session.lab.steps.map((s) => (
          <li>✓ {s.title}</li>
        ))}
      </ul>
      {error ? <ErrorBox message={error} onRetry={startNext} /> : null}
      <div class="row">
        {next ? (
          <button type="button" class="btn primary" onClick={startNext}>
            Next lab: {next.title} →
          </button>
        ) : null}
        <button type="button" class="btn" onClick={onEnd}>
          End this lab
        </button>
        <button type="button" class="btn ghost" onClick={onBack}>
          Review the steps
        </button>
      </div>
    </div>
  );
}
