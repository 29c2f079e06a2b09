/**
 * Results and per-lab analytics: CSV/JSON downloads, then for each lab the
 * time per step (box plot), the checks that fail most with their FAIL lines,
 * and the drop-off funnel. Plain SVG, each chart with a text equivalent.
 */
import type { ClassAnalyticsView } from '../../../server/contracts/classroom';
import { ErrorBox } from '../components/common';
import { boxPlot, funnel, shorten, ticks, topFailingSteps } from '../logic/analytics';
import { formatDuration } from '../logic/grid';
import { iapi } from './instructor-api';
import { useLoad } from './use-load';

type LabStats = ClassAnalyticsView['labs'][number];

export function AnalyticsPage({ classId }: { classId: string }) {
  const { data, error, reload: load } = useLoad(() => iapi.analytics(classId), [classId]);
  const base = `#/instructor/classes/${encodeURIComponent(classId)}`;
  return (
    <section class="analytics" aria-labelledby="an-title">
      <div class="ihead">
        <h1 id="an-title">Results and analytics</h1>
        <span class="spacer" />
        <a class="btn small" href={base}>
          Class page
        </a>
        <a class="btn small" href={`${base}/live`}>
          Live view
        </a>
      </div>
      <section class="isection" aria-labelledby="dl-title">
        <h2 id="dl-title">Download the results</h2>
        <ul class="downloads">
          <li>
            <a href={iapi.resultsCsv(classId)} download>
              Every step of every student (CSV)
            </a>
          </li>
          <li>
            <a href={iapi.resultsLabsCsv(classId)} download>
              One row per student and lab (CSV)
            </a>
          </li>
          <li>
            <a href={iapi.resultsJson(classId)} download>
              Everything as JSON
            </a>
          </li>
        </ul>
        <p class="muted small">The columns are described in the classroom guide (docs/classroom.md). Spreadsheets open these files directly.</p>
      </section>
      {error ? <ErrorBox message={error} onRetry={load} /> : null}
      {!data && !error ? <p class="loading">Loading…</p> : null}
      {data?.labs.map((lab) => <LabAnalytics lab={lab} />)}
      {data && data.labs.length === 0 ? <p class="muted">No lab in this class yet.</p> : null}
    </section>
  );
}

function LabAnalytics({ lab }: { lab: LabStats }) {
  const id = `lab-${lab.id}`;
  const top = topFailingSteps(lab.steps);
  return (
    <section class="isection lab-analytics" aria-labelledby={id}>
      <h2 id={id}>{lab.title}</h2>
      <div class="charts">
        <figure>
          <figcaption>Time per step (median, middle half, fastest to slowest)</figcaption>
          <BoxPlot lab={lab} />
        </figure>
        <figure>
          <figcaption>Drop-off: students who reached and passed each step</figcaption>
          <Funnel lab={lab} />
        </figure>
      </div>
      <h3>Checks that fail most</h3>
      {top.length === 0 ? (
        <p class="muted small">No failed check runs yet.</p>
      ) : (
        <ol class="top-fails">
          {top.map((s) => (
            <li>
              <strong>
                Step {s.index + 1}: {s.title}
              </strong>{' '}
              <span class="muted">({s.failedRuns} failed tries)</span>
              <ul>
                {s.topFails.map((f) => (
                  <li>
                    <code>{f.line}</code> <span class="muted small">× {f.count}</span>
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

const W = 520;
const LABEL = 150;
const ROW = 26;
const TOP = 8;
const AXIS = 24;

function BoxPlot({ lab }: { lab: LabStats }) {
  const g = boxPlot(lab.steps);
  const plotW = W - LABEL - 16;
  const h = TOP + g.rows.length * ROW + AXIS;
  const x = (f: number) => LABEL + f * plotW;
  const text = lab.steps
    .map((s) => (s.timeMs ? `Step ${s.index + 1}: median ${formatDuration(s.timeMs.median)}, middle half ${formatDuration(s.timeMs.q1)} to ${formatDuration(s.timeMs.q3)}` : `Step ${s.index + 1}: nobody passed yet`))
    .join('; ');
  return (
    <svg class="chart" viewBox={`0 0 ${W} ${h}`} width="100%" role="img" aria-label={`Time per step in ${lab.title}. ${text}`}>
      {ticks(g.max).map((t) => (
        <g>
          <line x1={x(t.ms / g.max)} x2={x(t.ms / g.max)} y1={TOP} y2={h - AXIS} class="grid-line" />
          <text x={x(t.ms / g.max)} y={h - 6} text-anchor="middle" class="tick">
            {t.label}
          </text>
        </g>
      ))}
      {g.rows.map((r, i) => {
        const cy = TOP + i * ROW + ROW / 2;
        return (
          <g>
            <text x={LABEL - 8} y={cy + 4} text-anchor="end" class="step-label">
              {shorten(`${r.index + 1}. ${r.title}`)}
            </text>
            {r.box ? (
              <>
                <line x1={x(r.box.min)} x2={x(r.box.max)} y1={cy} y2={cy} class="whisker" />
                <rect x={x(r.box.q1)} y={cy - 8} width={Math.max(1, x(r.box.q3) - x(r.box.q1))} height={16} class="box" />
                <line x1={x(r.box.median)} x2={x(r.box.median)} y1={cy - 9} y2={cy + 9} class="median" />
              </>
            ) : (
              <text x={LABEL + 4} y={cy + 4} class="none">
                nobody passed yet
              </text>
            )}
          </g>
        );
      })}
    </svg>
  );
}

function Funnel({ lab }: { lab: LabStats }) {
  const bars = funnel(lab.steps);
  const plotW = W - LABEL - 60;
  const h = TOP + bars.length * ROW + 8;
  const text = bars.map((b) => `Step ${b.index + 1}: ${b.reached} reached, ${b.passed} passed`).join('; ');
  return (
    <svg class="chart" viewBox={`0 0 ${W} ${h}`} width="100%" role="img" aria-label={`Drop-off in ${lab.title}. ${text}`}>
      {bars.map((b, i) => {
        const y = TOP + i * ROW;
        return (
          <g>
            <text x={LABEL - 8} y={y + ROW / 2 + 4} text-anchor="end" class="step-label">
              {shorten(`${b.index + 1}. ${b.title}`)}
            </text>
            <rect x={LABEL} y={y + 4} width={Math.max(0, b.reachedShare * plotW)} height={ROW - 8} class="reached" />
            <rect x={LABEL} y={y + 8} width={Math.max(0, b.passedShare * plotW)} height={ROW - 16} class="passed" />
            <text x={LABEL + b.reachedShare * plotW + 6} y={y + ROW / 2 + 4} class="tick">
              {b.passed}/{b.reached}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
