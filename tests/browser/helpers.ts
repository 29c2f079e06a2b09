/**
 * Shared setup for the browser tests: a real Berth (real lab machines) on a
 * random port with the fixture labs, and Debian's Chromium driven by
 * playwright-core (never a downloaded browser).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadConfig } from '../../server/config';
import { startServer, type RunningServer } from '../../server/http/server';

export const root = path.resolve(__dirname, '../..');
export const artifacts = path.join(root, 'test-results');

export interface Berth {
  url: string;
  server: RunningServer;
  dataDir: string;
  close(): Promise<void>;
}

/**
 * `labsDir` defaults to the fixture labs; the first-lab test passes the repository's own `labs/`.
 * `openJoin` (default true) lets a name alone join, as the student-only tests do; the
 * classroom tests turn it off to go through the door with a class code.
 */
export async function startBerth(name: string, opts: { labsDir?: string; openJoin?: boolean } = {}): Promise<Berth> {
  const index = path.join(root, 'dist', 'client', 'index.html');
  if (!fs.existsSync(index)) throw new Error('The client is not built: run `npm run build:client` before the browser tests.');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `berth-${name}-`));
  const config = loadConfig({
    ...process.env,
    BERTH_HOST: '127.0.0.1',
    BERTH_PORT: '0',
    BERTH_DATA_DIR: dataDir,
    BERTH_LABS_DIR: opts.labsDir ?? path.join(__dirname, 'fixtures', 'labs'),
    BERTH_INSTANCE: `berthbt${name.replace(/[^a-z0-9]/g, '')}${process.pid}`,
    BERTH_WARM_POOL: '0',
    BERTH_SECRET: 'browser-test-secret-browser-test-secret',
    BERTH_CHECK_INTERVAL: '3',
    BERTH_OPEN_JOIN: opts.openJoin === false ? 'false' : 'true',
  });
  const server = await startServer(config);
  return {
    url: server.url,
    server,
    dataDir,
    async close() {
      await server.close({ removeSessions: true });
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * What the server and the page knew of a lab that never showed its terminal: a session that never
 * ran (and why), or a terminal that never opened. For a failed wait's message, so a failure in CI
 * says where it stopped.
 */
export async function whatWasKnown(berth: Berth, page: Page, sessionId: string): Promise<string> {
  const { store, terminals } = berth.server.ctx;
  const id = decodeURIComponent(sessionId);
  const row = store.getSession(id);
  const terminal = terminals.get(id, 'docker');
  const shown = await page
    .locator('.start-box')
    .innerText({ timeout: 1000 })
    .catch(() => '(no start box)');
  return (
    `the server: session ${row?.state ?? 'unknown'}${row?.error ? ` (${row.error})` : ''}; ` +
    `terminal docker ${terminal ? `open, ${terminal.end} bytes, ${terminal.viewerCount()} viewers, alive ${terminal.alive}` : 'not open'}; ` +
    `the page shows: ${shown.replace(/\s+/g, ' ').slice(0, 300)}`
  );
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** Console errors and CSP violations seen by a page. */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    const text = m.text();
    if (/Content Security Policy|Refused to/i.test(text)) problems.push(`csp: ${text}`);
    // ERR_NETWORK_CHANGED: Chromium runs on the Docker host here, and every lab network made or removed
    // (a session ending) changes the host's interfaces; Chromium then fails the request in flight.
    else if (m.type() === 'error' && !/status of 401|net::ERR_NETWORK_CHANGED/.test(text)) problems.push(`console: ${text}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  return problems;
}

/** The text a terminal shows (scrollback included), through the client's read-only hook. */
export function terminalText(page: Page, machine: string): Promise<string> {
  return page.evaluate((m) => {
    const b = (window as unknown as { berth?: { terminalText(m: string): string | null } }).berth;
    return b?.terminalText(m) ?? '';
  }, machine);
}

export async function waitForTerminal(page: Page, machine: string, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  const start = Date.now();
  let text = '';
  while (Date.now() - start < timeoutMs) {
    text = await terminalText(page, machine);
    if (pattern.test(text)) return text;
    await page.waitForTimeout(150);
  }
  // What the page itself showed tells "no terminal yet" (still starting, an error) from "a silent shell".
  const shown = await page
    .evaluate(() => {
      const hasTerminals = Boolean((window as unknown as { berth?: unknown }).berth);
      return `${location.hash} | terminal hub ${hasTerminals ? 'mounted' : 'not mounted'} | ${document.body.innerText.replace(/\s+/g, ' ').slice(0, 600)}`;
    })
    .catch((err: unknown) => `(page unreadable: ${String(err)})`);
  throw new Error(`terminal ${machine} never showed ${pattern}; it shows:\n${text.slice(-2000)}\nthe page: ${shown}`);
}

export function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

export async function shot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(artifacts, { recursive: true });
  const file = path.join(artifacts, name);
  await page.screenshot({ path: file });
  return file;
}

/**
 * Waits until the port tab's iframe shows a page with an <h1>, pressing the
 * tab's Reload while the container behind it is still starting.
 */
export async function waitForPortPage(page: Page, timeoutMs: number): Promise<string> {
  const frame = page.frameLocator('.port-panel.shown iframe');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await frame.locator('h1').waitFor({ timeout: 3_000 });
      return await frame.locator('h1').innerText();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await page.locator('.port-panel.shown').getByRole('button', { name: 'Reload' }).click();
    }
  }
}
