/** The left pane: step list, current step with its blocks, check, hints, solution, navigation. */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { SessionView } from '../../../server/contracts/protocol';
import { canFinish, canGoNext, canGoPrev, checkOf, stepState, type LabState } from '../logic/steps';
import { request } from '../socket';
import { RichHtml, type BlockContext } from './blocks';
import { Spinner } from '../components/common';
import { errorText } from '../error-text';

export interface InstructionsProps {
  session: SessionView;
  lab: LabState;
  ctx: Omit<BlockContext, 'step'>;
  onGoto: (step: number) => void;
  onFinish: () => void;
  onCheck: (step: number) => void;
  running: boolean;
}

const STATE_LABEL = { done: 'done', current: 'current step', available: 'not done yet', locked: 'locked: finish the earlier steps first' } as const;
const STATE_ICON = { done: '✓', current: '▸', available: '○', locked: '⊘' } as const;

export function Instructions({ session, lab, ctx, onGoto, onFinish, onCheck, running }: InstructionsProps) {
  const steps = session.lab.steps;
  const step = steps[lab.current];
  const topRef = useRef<HTMLHeadingElement>(null);
  const first = useRef(true);

  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    topRef.current?.scrollIntoView({ block: 'start' });
    topRef.current?.focus({ preventScroll: true });
  }, [lab.current]);

  if (!step) {
    return (
      <div class="instructions">
        <h2>{session.lab.title}</h2>
        <RichHtml html={session.lab.introHtml} blocks={session.lab.introBlocks} ctx={{ ...ctx, step: 0 }} />
      </div>
    );
  }

  const stepCtx: BlockContext = { ...ctx, step: step.index };
  return (
    <div class="instructions">
      <nav class="step-list" aria-label="Steps">
        <ol>
          {steps.map((s) => {
            const st = stepState(lab, s.index);
            return (
              <li class={`step-item ${st}`}>
                <button
                  type="button"
                  disabled={st === 'locked'}
                  aria-current={st === 'current' ? 'step' : undefined}
                  aria-label={`Step ${s.index + 1}: ${s.title} (${STATE_LABEL[st]})`}
                  onClick={() => onGoto(s.index)}
                >
                  <span class="step-icon" aria-hidden="true">
                    {STATE_ICON[st]}
                  </span>
                  <span class="step-num" aria-hidden="true">
                    {s.index + 1}
                  </span>
                  <span class="step-title">{s.title}</span>
                </button>
              </li>
            );
          })}
        </ol>
      </nav>

      <article class="step" aria-labelledby="step-title" data-step={step.index}>
        <p class="step-kicker muted small">
          Step {step.index + 1} of {steps.length}
        </p>
        <h2 id="step-title" ref={topRef} tabIndex={-1}>
          {step.title}
        </h2>
        {step.index === 0 && session.lab.introHtml ? (
          <div class="intro">
            <RichHtml html={session.lab.introHtml} blocks={session.lab.introBlocks} ctx={stepCtx} />
          </div>
        ) : null}
        <RichHtml key={step.index} html={step.html} blocks={step.blocks} ctx={stepCtx} />

        {step.hasCheck ? <CheckPanel lab={lab} step={step.index} onCheck={onCheck} running={running} /> : null}
        <Help key={`help-${step.index}`} session={session} step={step.index} hintCount={step.hintCount} hasSolution={step.hasSolution} />
      </article>

      <div class="step-nav">
        <button type="button" class="btn" disabled={!canGoPrev(lab)} onClick={() => onGoto(lab.current - 1)}>
          ← Previous
        </button>
        <span class="spacer" />
        {lab.current === steps.length - 1 ? (
          <button type="button" class="btn primary" disabled={!canFinish(lab)} onClick={onFinish} title={canFinish(lab) ? '' : 'Finish every step first'}>
            Finish lab ✓
          </button>
        ) : (
          <button
            type="button"
            class={`btn ${checkOf(lab, lab.current).status === 'passed' ? 'primary pulse' : step.hasCheck ? '' : 'primary'}`}
            disabled={!canGoNext(lab)}
            onClick={() => onGoto(lab.current + 1)}
            title={canGoNext(lab) ? '' : 'Pass this step’s check to unlock the next one'}
          >
            Next step →
          </button>
        )}
      </div>
    </div>
  );
}

function CheckPanel({ lab, step, onCheck, running }: { lab: LabState; step: number; onCheck: (s: number) => void; running: boolean }) {
  const c = checkOf(lab, step);
  const auto = c.trigger && c.trigger !== 'button';
  return (
    <section class={`check check-${c.status}`} aria-label="Check your work">
      <div class="check-row">
        <button type="button" class="btn check-btn" onClick={() => onCheck(step)} disabled={c.status === 'running' || !running}>
          {c.status === 'running' ? 'Checking…' : 'Check'}
        </button>
        <div class="check-status" role="status" aria-live="polite" data-status={c.status}>
          {c.status === 'idle' ? <span class="muted">Do the task in the terminal. Berth checks as you work, or press Check.</span> : null}
          {c.status === 'running' ? (
            <span>
              <Spinner /> Checking your work…
            </span>
          ) : null}
          {c.status === 'passed' && lab.completed.has(step) ? <span class="good">✓ Well done: this step is complete.</span> : null}
          {/* The check passed but the step also asks a question: it is not complete until that is answered. */}
          {c.status === 'passed' && !lab.completed.has(step) ? <span class="good">✓ Your work checks out. Answer the question in this step to complete it.</span> : null}
          {c.status === 'failed' ? (
            <span class={auto ? 'muted' : 'bad'}>
              {auto ? 'Not done yet' : '✗ Not yet'}
              {c.feedback ? `: ${c.feedback}` : '.'}
            </span>
          ) : null}
        </div>
      </div>
      {c.status === 'passed' && c.celebrate ? <Celebration key={c.celebrate} /> : null}
    </section>
  );
}

function Celebration() {
  return (
    <div class="celebrate" aria-hidden="true">
      {Array.from({ length: 12 }, (_, i) => (
        <span class={`confetti c${i % 4}`} style={{ '--i': String(i) } as Record<string, string>} />
      ))}
    </div>
  );
}

function storeKey(sessionId: string, step: number, kind: string): string {
  return `berth.${kind}.${sessionId}.${step}`;
}
function load<T>(key: string, fallback: T): T {
  try {
    const v = localStorage.getItem(key);
    return v ? (JSON.parse(v) as T) : fallback;
  } catch {
    return fallback;
  }
}
function save(key: string, v: unknown): void {
  try {
    localStorage.setItem(key, JSON.stringify(v));
  } catch {
    /* ignore */
  }
}

function Help({ session, step, hintCount, hasSolution }: { session: SessionView; step: number; hintCount: number; hasSolution: boolean }) {
  const hk = storeKey(session.id, step, 'hints');
  const sk = storeKey(session.id, step, 'solution');
  const [hints, setHints] = useState<string[]>(() => load(hk, []));
  const [solution, setSolution] = useState<string | null>(() => load(sk, null));
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const seenElsewhere = Math.max(0, (session.progress.hintsRevealed[step] ?? 0) - hints.length);

  if (!hintCount && !hasSolution) return null;

  const reveal = async (event: 'hint:reveal' | 'solution:reveal') => {
    setBusy(true);
    setError(null);
    try {
      const r = await request(event, { sessionId: session.id, step });
      if (!r.ok || r.html === undefined) throw new Error(r.error ?? 'Nothing to show.');
      if (event === 'hint:reveal') {
        const next = [...hints, r.html];
        setHints(next);
        save(hk, next);
      } else {
        setSolution(r.html);
        save(sk, r.html);
        setConfirming(false);
      }
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const left = hintCount - hints.length - seenElsewhere;
  return (
    <section class="help" aria-label="Help">
      {hints.map((h, i) => (
        <div class="hint">
          <p class="hint-label">Hint {i + 1}</p>
          <div class="prose" dangerouslySetInnerHTML={{ __html: h }} />
        </div>
      ))}
      <div class="row">
        {hintCount > 0 && left > 0 ? (
          <button type="button" class="btn small" disabled={busy} onClick={() => reveal('hint:reveal')}>
            {hints.length ? 'Another hint' : 'Show a hint'} ({left} left)
          </button>
        ) : null}
        {hasSolution && solution === null && !confirming ? (
          <button type="button" class="btn small ghost" onClick={() => setConfirming(true)}>
            Show the solution…
          </button>
        ) : null}
      </div>
      {confirming ? (
        <div class="confirm" role="alertdialog" aria-labelledby="sol-q">
          <p id="sol-q">See the solution? Try the hints first: you learn more by working it out. Your teacher will see that you looked.</p>
          <div class="row">
            <button type="button" class="btn small primary" disabled={busy} onClick={() => reveal('solution:reveal')}>
              Yes, show it
            </button>
            <button type="button" class="btn small" onClick={() => setConfirming(false)}>
              Not yet
            </button>
          </div>
        </div>
      ) : null}
      {solution !== null ? (
        <div class="solution">
          <p class="hint-label">Solution</p>
          <div class="prose" dangerouslySetInnerHTML={{ __html: solution }} />
        </div>
      ) : null}
      {error ? (
        <p class="feedback bad" role="alert">
          {error}
        </p>
      ) : null}
    </section>
  );
}
