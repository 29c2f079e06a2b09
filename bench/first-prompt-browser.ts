/**
 * Start → first prompt as a student sees it: in Chromium, from the click on a
 * lab's Start button to the shell prompt drawn in the page's terminal. This
 * includes what bench/first-prompt.ts leaves out: the catalog's request, the
 * page switching to the lab, xterm mounting and asking for its terminal, and
 * the drawing. Cold (no warm pool) and warm (BERTH_WARM_POOL=2), lab `hello`
 * (one machine). Median of BENCH_RUNS (default 5); each run is a new student.
 *
 *   npm run bench:first-prompt-browser   (needs the client built: npm run build:client)
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import type { RunningServer } from '../server/http/server';
import { poolScenario } from './in-process-berth';
import { fmt, hostSummary, median, printTable, quietServerLogs, RUNTIME_LABS, runMain } from './util';

const LAB = 'hello';
const MACHINE = 'docker';
const POOL = 2;

/** What the page's side of the clock uses; this file is compiled without the DOM library. */
interface PageGlobals {
  benchT0: number;
  berth?: { terminalText(machine: string): string | null };
  document: { querySelector(selector: string): unknown };
  requestAnimationFrame(callback: () => void): void;
}

interface Sample {
  /** The lab page shows its terminal area (the session is running). */
  terminal: number;
  /** The prompt is in the terminal. */
  prompt: number;
}

async function oneRun(browser: Browser, server: RunningServer, title: string, n: number): Promise<Sample> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  try {
    await page.goto(server.url);
    await page.getByLabel('Your display name').fill(`Bench ${n}`);
    await page.getByRole('button', { name: 'Join' }).click();
    const start = page.getByRole('button', { name: `Start: ${title}` });
    await start.waitFor();
    // The clock starts in the page, in the click handler's own task: no driver round trip in the figure.
    await start.evaluate((button) => {
      (globalThis as unknown as PageGlobals).benchT0 = performance.now();
      (button as unknown as { click(): void }).click();
    });
    const times = await page.evaluate(
      ({ machine }) =>
        new Promise<{ terminal: number; prompt: number }>((resolve, reject) => {
          const w = globalThis as unknown as PageGlobals;
          let terminal = 0;
          const deadline = performance.now() + 30_000;
          const frame = () => {
            const now = performance.now();
            if (!terminal && w.document.querySelector('.terminals.shown .xterm-host.active')) terminal = now - w.benchT0;
            if (/root@\S+:\S*[#$]\s*$/.test(w.berth?.terminalText(machine) ?? '')) {
              resolve({ terminal: terminal || now - w.benchT0, prompt: now - w.benchT0 });
              return;
            }
            if (now > deadline) reject(new Error(`no prompt within 30 s; the terminal shows: ${JSON.stringify((w.berth?.terminalText(machine) ?? '(no terminal)').slice(-300))}; the page: ${JSON.stringify(String((w.document as unknown as { body: { innerText: string } }).body.innerText).slice(0, 600))}`));
            else w.requestAnimationFrame(frame);
          };
          w.requestAnimationFrame(frame);
        }),
      { machine: MACHINE },
    ).catch((err: unknown) => {
      const id = /#\/session\/([^/?]+)/.exec(page.url())?.[1];
      const row = id ? server.ctx.sessions.get(id) : undefined;
      throw new Error(`${String(err)}\n(the server has the session ${id} as ${row?.state ?? 'unknown'})`);
    });
    const sessionId = /#\/session\/([^/?]+)/.exec(page.url())?.[1];
    if (sessionId) await server.ctx.sessions.stop(sessionId);
    return times;
  } finally {
    await context.close();
  }
}

/** The lab's title, which names its Start button. */
function labTitle(server: RunningServer): string {
  const title = server.ctx.catalog.get(LAB)?.title;
  if (!title) throw new Error(`lab ${LAB} is not in ${RUNTIME_LABS}`);
  return title;
}

async function main(): Promise<void> {
  if (!fs.existsSync(path.join(__dirname, '..', 'client', 'index.html'))) throw new Error('The client is not built: run `npm run build:client` first.');
  const runs = Number(process.env.BENCH_RUNS || 5);
  quietServerLogs();
  console.log(`first-prompt-browser: Chromium, median of ${runs} runs per row`);
  console.log(hostSummary());
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const rows: Array<Array<string | number>> = [];
  try {
    for (const [label, pool] of [
      ['cold, 1 machine', 0],
      [`warm (pool ${POOL}), 1 machine`, POOL],
    ] as const) {
      const samples = await poolScenario('bench-fpb', pool, runs, (server, i) => oneRun(browser, server, labTitle(server), i));
      rows.push([label, fmt(median(samples.map((s) => s.terminal))), fmt(median(samples.map((s) => s.prompt))), samples.map((s) => fmt(s.prompt)).join(' / ')]);
      console.log(`  ${label}: ${samples.map((s) => fmt(s.prompt)).join(', ')} ms`);
    }
  } finally {
    await browser.close();
  }
  printTable('Click on Start → prompt drawn in the page (ms, Chromium)', ['scenario', 'terminal shown (median)', 'prompt drawn (median)', 'all runs'], rows);
  process.exit(0);
}

runMain(main);
