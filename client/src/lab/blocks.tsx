/** Interactive pieces placed where the server's `data-berth-block` placeholders stand. */
import { render, type VNode } from 'preact';
import { useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { QuizReply, ViewBlock } from '../../../server/contracts/protocol';
import { copyText } from '../terminal/clipboard';
import { request } from '../socket';
import { openInEditor } from './editor/open-in-editor';
import { errorText } from '../error-text';

export interface BlockContext {
  sessionId: string;
  step: number;
  /** Types into the machine's terminal; returns an error in words, or null. */
  run: (machine: string, command: string, mode: 'run' | 'paste') => string | null;
  quizState: (quizId: string) => { choices: number[]; correct: boolean } | undefined;
}

function useFlash(): [string, (msg: string) => void] {
  const [msg, setMsg] = useState('');
  const timer = useRef<number>(0);
  return [
    msg,
    (m: string) => {
      setMsg(m);
      window.clearTimeout(timer.current);
      timer.current = window.setTimeout(() => setMsg(''), 2500);
    },
  ];
}

function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [msg, flash] = useFlash();
  return (
    <>
      <button type="button" class="btn small" onClick={async () => flash((await copyText(text)) ? 'Copied' : 'Copy failed: select the text and press Ctrl+C')}>
        {label}
      </button>
      <span class="flash" role="status" aria-live="polite">
        {msg}
      </span>
    </>
  );
}

function RunBlock({ block, ctx }: { block: Extract<ViewBlock, { kind: 'run' }>; ctx: BlockContext }) {
  const [msg, flash] = useFlash();
  const [err, setErr] = useState(false);
  const label = block.mode === 'run' ? 'Run' : 'Type';
  return (
    <div class="block block-run" data-block-id={block.id}>
      <pre>
        <code>{block.command}</code>
      </pre>
      <div class="block-actions">
        <button
          type="button"
          class="btn small primary run-btn"
          aria-label={`${label} in terminal ${block.machine}: ${block.command.split('\n')[0]}`}
          onClick={() => {
            const e = ctx.run(block.machine, block.command, block.mode);
            setErr(Boolean(e));
            flash(e ?? (block.mode === 'run' ? `Sent to ${block.machine}` : `Typed into ${block.machine}: press Enter when ready`));
          }}
        >
          ▶ {label}
        </button>
        <CopyButton text={block.command} />
        <span class="muted small machine-name" title="Runs on this machine">
          {block.machine}
        </span>
        <span class={`flash ${err ? 'bad' : ''}`} role="status" aria-live="polite">
          {msg}
        </span>
      </div>
    </div>
  );
}

function CopyBlock({ block }: { block: Extract<ViewBlock, { kind: 'copy' }> }) {
  return (
    <div class="block block-copy" data-block-id={block.id}>
      <pre>
        <code>{block.text}</code>
      </pre>
      <div class="block-actions">
        <CopyButton text={block.text} />
      </div>
    </div>
  );
}

/** A file the step asks for: opened in the machine's editor (created with this text if it is not there yet). */
function EditBlock({ block }: { block: Extract<ViewBlock, { kind: 'edit' }> }) {
  const where = block.lines ? (block.lines[0] === block.lines[1] ? `, line ${block.lines[0]}` : `, lines ${block.lines[0]}–${block.lines[1]}`) : '';
  return (
    <div class="block block-edit" data-block-id={block.id}>
      <div class="block-file muted small">
        <code>{block.path}</code> on {block.machine}
        {where}
      </div>
      <pre>
        <code>{block.text}</code>
      </pre>
      <div class="block-actions">
        <button
          type="button"
          class="btn small primary"
          aria-label={`Open ${block.path} in the editor on ${block.machine}`}
          onClick={() => openInEditor({ machine: block.machine, path: block.path, content: block.text, lines: block.lines })}
        >
          ✎ Open in editor
        </button>
        <CopyButton text={block.text} />
      </div>
    </div>
  );
}

function QuizBlock({ block, ctx }: { block: Extract<ViewBlock, { kind: 'quiz' }>; ctx: BlockContext }) {
  const earlier = ctx.quizState(block.id);
  const [chosen, setChosen] = useState<number[]>(earlier?.choices ?? []);
  const [reply, setReply] = useState<QuizReply | null>(earlier ? { ok: true, correct: earlier.correct } : null);
  const [busy, setBusy] = useState(false);
  const name = `quiz-${block.id}`;

  const toggle = (i: number) => {
    setReply(null);
    setChosen((c) => (block.multiple ? (c.includes(i) ? c.filter((x) => x !== i) : [...c, i].sort()) : [i]));
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!chosen.length) return;
    setBusy(true);
    try {
      setReply(await request('quiz:answer', { sessionId: ctx.sessionId, step: ctx.step, quizId: block.id, choices: chosen }));
    } catch (err) {
      setReply({ ok: false, error: errorText(err) });
    } finally {
      setBusy(false);
    }
  };
  const correctSet = reply?.correctChoices;
  return (
    <form class="block block-quiz" data-block-id={block.id} onSubmit={submit}>
      <fieldset>
        <legend dangerouslySetInnerHTML={{ __html: block.questionHtml }} />
        {block.choices.map((html, i) => {
          const mark = correctSet ? (correctSet.includes(i) ? 'right' : chosen.includes(i) ? 'wrong' : '') : '';
          return (
            <label class={`choice ${mark}`}>
              <input type={block.multiple ? 'checkbox' : 'radio'} name={name} checked={chosen.includes(i)} onChange={() => toggle(i)} />
              <span dangerouslySetInnerHTML={{ __html: html }} />
              {mark === 'right' ? <span class="sr-only"> (correct answer)</span> : null}
            </label>
          );
        })}
      </fieldset>
      <div class="block-actions">
        <button type="submit" class="btn small primary" disabled={busy || !chosen.length}>
          Answer
        </button>
        {block.multiple ? <span class="muted small">Several answers may be right.</span> : null}
      </div>
      <div role="status" aria-live="polite">
        {reply && !reply.ok ? <p class="feedback bad">{reply.error ?? 'The answer could not be sent.'}</p> : null}
        {reply?.ok ? <p class={`feedback ${reply.correct ? 'good' : 'bad'}`}>{reply.correct ? '✓ Correct!' : '✗ Not quite. Try again.'}</p> : null}
        {reply?.explanationHtml ? <div class="explanation prose" dangerouslySetInnerHTML={{ __html: reply.explanationHtml }} /> : null}
      </div>
    </form>
  );
}

export function Block({ block, ctx }: { block: ViewBlock; ctx: BlockContext }): VNode {
  if (block.kind === 'run') return <RunBlock block={block} ctx={ctx} />;
  if (block.kind === 'copy') return <CopyBlock block={block} />;
  if (block.kind === 'edit') return <EditBlock block={block} />;
  return <QuizBlock block={block} ctx={ctx} />;
}

/**
 * Sanitized server HTML with its placeholders replaced by live components.
 * Blocks without a placeholder are drawn after the text.
 */
export function RichHtml({ html, blocks, ctx, class: cls = '' }: { html: string; blocks: ViewBlock[]; ctx: BlockContext; class?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const mounted = useRef<HTMLElement[]>([]);
  const placed = useMemo(() => new Set(Array.from(html.matchAll(/data-berth-block=["']?([^"'\s>]+)/g), (m) => m[1]!)), [html]);

  useLayoutEffect(() => {
    const root = ref.current;
    if (!root) return;
    root.innerHTML = html;
    mounted.current = Array.from(root.querySelectorAll<HTMLElement>('[data-berth-block]'));
    return () => {
      for (const el of mounted.current) render(null, el);
      mounted.current = [];
    };
  }, [html]);

  useLayoutEffect(() => {
    for (const el of mounted.current) {
      const b = blocks.find((x) => x.id === el.dataset.berthBlock);
      render(b ? <Block block={b} ctx={ctx} /> : null, el);
    }
  });

  const rest = blocks.filter((b) => !placed.has(b.id));
  return (
    <>
      <div ref={ref} class={`prose ${cls}`} />
      {rest.map((b) => (
        <Block key={b.id} block={b} ctx={ctx} />
      ))}
    </>
  );
}
