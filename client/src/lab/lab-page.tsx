/**
 * The lab page: instructions beside the lab machines' terminals, live session
 * state. This file composes; each part is its own module (session bar, start
 * progress, terminal tabs, finish screen, the session-events hook …).
 */
import '@xterm/xterm/css/xterm.css';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { DiskWarningEvent, SessionView, StudentView } from '../../../server/contracts/protocol';
import { api, ApiError } from '../api';
import { mayLoseDrafts, navigate } from '../router';
import type { ConnectionState } from '../socket';
import { applyCheck, applyProgress, finish, initLabState, stepInfos, type LabState } from '../logic/steps';
import { clampSplit, typedCommand } from '../logic/format';
import { ErrorBox, Spinner } from '../components/common';
import { DiskBanner } from './disk-banner';
import { EditorTab } from './editor/editor-tab';
import { useOpenInEditor } from './editor/open-in-editor';
import { FinishScreen } from './finish-screen';
import { useFollowReset } from './follow-reset';
import { Instructions } from './instructions';
import { NoticesBanner } from './notices-banner';
import { PortPanel } from './port-panel';
import { SessionBar } from './session-bar';
import { Splitter } from './splitter';
import { StartProgress } from './start-progress';
import { TakeoverBanner, useTakeovers, type Takeovers } from './takeover-banner';
import { InputSlowNotice, TermOverlay } from './term-overlay';
import { machineOf, nextTerminalId } from './terminal-ids';
import { TerminalTabs } from './terminal-tabs';
import { useExtraTerminals } from './use-extra-terminals';
import { useSessionActions } from './use-session-actions';
import { useSessionEvents } from './use-session-events';
import { useStepActions } from './use-step-actions';
import { useTerminalHub } from './use-terminal-hub';
import { errorText } from '../error-text';
import { takeHandedOver } from '../session-handoff';

export function LabPage({ sessionId, onTitle }: { sessionId: string; student: StudentView; onTitle: (t: string) => void }) {
  // The view the Start that led here returned, if it did: the page shows at once, without asking again.
  const [handed] = useState(() => takeHandedOver(sessionId));
  const [session, setSession] = useState<SessionView | null>(handed);
  const [error, setError] = useState<{ message: string; status: number } | null>(null);
  const [lab, setLab] = useState<LabState | null>(() => (handed ? initLabState(stepInfos(handed), handed.progress) : null));
  const [disk, setDisk] = useState<DiskWarningEvent | null>(null);

  // Only the latest load may set the view. A load begun while the lab was starting can answer after
  // the one the 'running' event began, and would put the page back on "Starting…" for good.
  const loads = useRef(0);
  const load = useCallback(async () => {
    const n = ++loads.current;
    setError(null);
    try {
      const r = await api.session(sessionId);
      if (n !== loads.current) return;
      setSession(r.session);
      onTitle(r.session.lab.title);
      setLab((prev) => prev ?? initLabState(stepInfos(r.session), r.session.progress));
    } catch (e) {
      if (n !== loads.current) return;
      setError({ message: errorText(e), status: e instanceof ApiError ? e.status : 0 });
    }
  }, [sessionId]);

  useEffect(() => {
    if (handed) onTitle(handed.lab.title);
    else void load();
  }, [load]);

  // Before the session is watched: watching it is what re-sends a takeover in progress.
  const takeovers = useTakeovers(sessionId);
  const live = useSessionEvents(sessionId, {
    status: (ev) => {
      setSession((cur) => (cur ? { ...cur, state: ev.state, queuePosition: ev.queuePosition, detail: ev.detail, error: ev.error, expiresAt: ev.expiresAt ?? cur.expiresAt } : cur));
      // Machines and tabs are known once running: fetch the full view.
      if (ev.state === 'running' && (!session || session.state !== 'running' || session.machines.length === 0)) void load();
    },
    progress: (progress) => {
      setSession((cur) => (cur ? { ...cur, progress } : cur));
      setLab((cur) => (cur ? applyProgress(cur, progress) : cur));
    },
    check: (ev) => setLab((cur) => (cur ? applyCheck(cur, ev) : cur)),
    disk: setDisk,
  });

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
      conn={live.conn}
      watched={live.watched}
      notice={live.notice}
      reload={load}
      disk={disk}
      dismissDisk={() => setDisk(null)}
      takeovers={takeovers}
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
  /** The disk watchdog's last warning, until dismissed. */
  disk: DiskWarningEvent | null;
  dismissDisk: () => void;
  takeovers: Takeovers;
}

function LabLayout({ session, setSession, lab, setLab, conn, watched, notice, reload, disk, dismissDisk, takeovers }: LayoutProps) {
  const running = session.state === 'running';
  useFollowReset(session.id, session.labId, session.state === 'ended');
  const [tab, setTab] = useState<string>(() => `term:${session.machines[0] ?? ''}`);
  const [opened, setOpened] = useState<Set<string>>(new Set());
  const [split, setSplit] = useState(() => clampSplit(Number(localStorage.getItem('berth.split') ?? 0.42)));
  const [attachGen, setAttachGen] = useState(0);
  const termBox = useRef<HTMLDivElement>(null);
  const editorRequests = useOpenInEditor(session.machines, (machine) => setTab(`edit:${machine}`));
  const extra = useExtraTerminals(session.id, session.machines);
  const terminals = extra.terminals;
  const { hub, statuses, inputNotices, dismissInputNotice } = useTerminalHub({ sessionId: session.id, box: termBox, running, starting: session.state === 'starting' || session.state === 'queued', terminals, watched, attachGen });
  const steps = useStepActions(session.id, setLab);
  const actions = useSessionActions({
    session,
    setSession,
    onReset: (fresh) => {
      hub.current?.restartAll();
      setAttachGen((g) => g + 1); // re-attach from zero once the fresh machines run
      setLab(() => initLabState(stepInfos(fresh), fresh.progress));
    },
  });

  // A closed extra terminal's tab falls back to its machine's main terminal.
  const terminalsKey = terminals.map((t) => t.id).join(',');
  useEffect(() => {
    if (running && tab.startsWith('term:') && session.machines.length && !terminals.some((t) => t.id === tab.slice(5))) setTab(`term:${session.machines[0]}`);
  }, [running, terminalsKey]);

  useEffect(() => {
    if (tab.startsWith('term:')) hub.current?.show(tab.slice(5));
    setOpened((o) => (o.has(tab) ? o : new Set(o).add(tab)));
  }, [tab]);

  useEffect(() => {
    hub.current?.fitAll();
    try {
      localStorage.setItem('berth.split', String(split));
    } catch {
      /* private mode: the split is not remembered */
    }
  }, [split]);

  /** Types a command from the instructions into a terminal; returns why it could not, or null. */
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

  const ctx = useMemo(() => ({ sessionId: session.id, run, quizState: (quizId: string) => session.progress.quizAnswers[quizId] }), [session, running, conn]);

  const activeTerminal = tab.startsWith('term:') ? tab.slice(5) : '';
  const activeMachine = activeTerminal ? machineOf(activeTerminal) : '';
  const activeTerm = statuses[activeTerminal];

  const newTerminal = () => {
    const id = activeMachine ? nextTerminalId(activeMachine, extra.extras) : null;
    if (!id) return;
    extra.add(id);
    setTab(`term:${id}`);
  };
  const closeTerminal = (id: string) => {
    hub.current?.close(id);
    extra.remove(id);
    if (tab === `term:${id}`) setTab(`term:${machineOf(id)}`);
  };

  return (
    <div class="lab" style={{ '--split': `${(split * 100).toFixed(2)}%` } as Record<string, string>}>
      <SessionBar session={session} conn={conn} onAction={(a) => (mayLoseDrafts(session.id, a) ? actions.act(a) : Promise.resolve())} />
      <TakeoverBanner sessionId={session.id} takeovers={takeovers} />
      <NoticesBanner />
      {disk ? <DiskBanner warning={disk} onDismiss={dismissDisk} /> : null}
      {actions.error ? (
        <div class="notice bad" role="alert">
          {actions.error}
          <button type="button" class="btn small ghost" onClick={actions.clearError}>
            Dismiss
          </button>
        </div>
      ) : null}
      {notice && conn === 'connected' && !watched ? <div class="notice" role="status">{notice}</div> : null}
      <div class="lab-split">
        <section class="pane pane-left" aria-label="Instructions">
          {lab.finished ? (
            <FinishScreen session={session} onBack={() => setLab((l) => (l ? { ...l, finished: false } : l))} onEnd={() => mayLoseDrafts(session.id, 'stop') && actions.act('stop')} />
          ) : (
            <Instructions
              session={session}
              lab={lab}
              ctx={ctx}
              onGoto={steps.gotoStep}
              onFinish={() => setLab((l) => (l ? finish(l) : l))}
              onCheck={steps.runCheck}
              running={running && conn === 'connected'}
            />
          )}
        </section>
        <Splitter split={split} setSplit={setSplit} />
        <section class="pane pane-right" aria-label="Lab machines">
          <TerminalTabs
            session={session}
            terminals={terminals}
            tab={tab}
            setTab={setTab}
            running={running}
            hub={hub}
            activeTerminal={activeTerminal}
            activeMachine={activeMachine}
            onNewTerminal={newTerminal}
            onCloseTerminal={closeTerminal}
          />
          <div class="tab-panels">
            <div class={`terminals ${tab.startsWith('term:') && running ? 'shown' : ''}`} ref={termBox} role="tabpanel" aria-label={`Terminal ${activeMachine}`} />
            {running && activeTerm && activeTerm.status !== 'live' && tab.startsWith('term:') ? (
              <TermOverlay status={activeTerm.status} message={activeTerm.message} conn={conn} onReopen={() => hub.current?.reopen(activeTerminal)} />
            ) : null}
            {running && activeTerm?.status === 'live' && tab.startsWith('term:') && inputNotices[activeTerminal] ? (
              <InputSlowNotice notice={inputNotices[activeTerminal]!} onDismiss={() => dismissInputNotice(activeTerminal)} />
            ) : null}
            {running
              ? session.tabs.map((t) => {
                  const id = `port:${t.machine}:${t.port}`;
                  return opened.has(id) ? <PortPanel key={id} tab={t} shown={tab === id} /> : null;
                })
              : null}
            {running
              ? session.machines.map((m) =>
                  opened.has(`edit:${m}`) ? <EditorTab key={`edit:${m}`} shown={tab === `edit:${m}`} sessionId={session.id} machine={m} root="/root" openRequest={editorRequests[m] ?? null} /> : null,
                )
              : null}
            {!running ? <StartProgress session={session} onResume={() => actions.act('resume')} onRestart={actions.restart} onReload={reload} /> : null}
          </div>
        </section>
      </div>
    </div>
  );
}
