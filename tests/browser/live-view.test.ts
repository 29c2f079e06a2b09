/**
 * The instructor's live view in a real browser against a real Berth, with a
 * student in a second browser context: a passed check turns the grid cell
 * done; the instructor watches the student's terminal, takes it over and
 * types; the student sees the banner and the output; a broadcast reaches the
 * student; a reset from the grid gives the student a fresh lab.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { RESULT_STEP_COLUMNS } from '../../server/contracts/classroom';
import { launchBrowser, startBerth, terminalText, waitForTerminal, watchConsole, type Berth } from './helpers';
import { createClass, docShot, joinAndStart, prompt, setUpFirstInstructor } from './classroom-steps';

jest.setTimeout(300_000);

let berth: Berth;
let browser: Browser;
let teacherCtx: BrowserContext;
let studentCtx: BrowserContext;
let teacher: Page;
let student: Page;
let problems: string[];
/** What reaches the instructor's page: class:rows socket frames, HTTP requests, page loads. */
const rowFrames: string[] = [];
const requests: string[] = [];
let loads = 0;
const dialogs: string[] = [];
let classId = '';
let firstSession = '';

const STUDENT = 'Alan Turing';
const row = () => teacher.locator(`tr.grid-row[data-student="${STUDENT}"]`);
const cell = (step: number) => row().locator(`td.cell[data-lab="browser-lab"][data-step="${step}"]`);

beforeAll(async () => {
  // A small input queue, so that a paste into a program that does not read overflows it (the takeover test).
  process.env.BERTH_INPUT_QUEUE = '256k';
  try {
    berth = await startBerth('liveview', { openJoin: false });
  } finally {
    delete process.env.BERTH_INPUT_QUEUE;
  }
  browser = await launchBrowser();
  teacherCtx = await browser.newContext({ viewport: { width: 1280, height: 760 }, colorScheme: 'light' });
  studentCtx = await browser.newContext({ viewport: { width: 1100, height: 700 }, colorScheme: 'dark' });
  teacher = await teacherCtx.newPage();
  student = await studentCtx.newPage();
  problems = [...watchConsole(teacher), ...watchConsole(student)];
  // Before the first page opens: the instructor's socket lives as long as the page.
  teacher.on('websocket', (ws) =>
    ws.on('framereceived', (f) => {
      if (typeof f.payload === 'string' && f.payload.includes('"class:rows"')) rowFrames.push(f.payload);
    }),
  );
  teacher.on('request', (r) => requests.push(r.url()));
  teacher.on('framenavigated', (f) => {
    if (f === teacher.mainFrame()) loads++;
  });
  // Reset and end ask "are you sure?" with the browser's own dialog.
  teacher.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.accept();
  });

  await setUpFirstInstructor(teacher, berth);
  const made = await createClass(teacher, 'Live class');
  classId = made.classId;
  firstSession = await joinAndStart(student, berth, made.code, STUDENT);
});

afterAll(async () => {
  await browser?.close();
  await berth?.close();
});

test('the grid shows the student, and a passed check turns their cell done, pushed over the socket', async () => {
  await teacher.goto(`${berth.url}/#/instructor/classes/${encodeURIComponent(classId)}/live`);
  await row().waitFor();
  expect(await row().locator('td.state').getAttribute('data-state')).toBe('running');
  expect(await cell(0).getAttribute('data-state')).not.toBe('done');

  // From here to the done cell, the instructor's page only listens.
  const [framesBefore, requestsBefore, loadsBefore] = [rowFrames.length, requests.length, loads];
  await student.locator('.block-run').first().getByRole('button', { name: /^Run in terminal docker/ }).click();
  await waitForTerminal(student, 'docker', /hello-from-42/);
  try {
    await student.waitForSelector('.check-status[data-status="passed"]', { timeout: 15_000 });
  } catch {
    await student.getByRole('button', { name: 'Check', exact: true }).click();
    await student.waitForSelector('.check-status[data-status="passed"]', { timeout: 30_000 });
  }
  // Live over the socket: no reload, no refresh button on this page.
  await teacher.waitForSelector(`tr.grid-row[data-student="${STUDENT}"] td.cell[data-lab="browser-lab"][data-step="0"][data-state="done"]`, { timeout: 30_000 });
  // The done cell came in a class:rows patch on the socket: the page was not reloaded and fetched no grid.
  expect(loads).toBe(loadsBefore);
  expect(requests.slice(requestsBefore).filter((u) => u.includes('/api/'))).toEqual([]);
  expect(rowFrames.length).toBeGreaterThan(framesBefore);
  expect(rowFrames.slice(framesBefore).some((f) => f.includes('"state":"done"'))).toBe(true);
  expect(await cell(0).getAttribute('aria-label')).toMatch(/^Alan Turing, Berth in the browser step 1 \(Make a file\): done/);
  // Cells are reachable from the keyboard with their state in words.
  await cell(0).focus();
  await teacher.keyboard.press('ArrowRight');
  await teacher.waitForFunction(() => document.activeElement?.getAttribute('data-step') === '1');
  expect(await teacher.evaluate(() => document.activeElement?.getAttribute('tabindex'))).toBe('0');
  expect(await cell(0).getAttribute('tabindex')).toBe('-1');
  await teacher.keyboard.press('Enter');
  await teacher.getByRole('heading', { name: STUDENT }).waitFor();
  await teacher.getByRole('button', { name: `Close ${STUDENT}` }).click();
  expect(await teacher.locator('.grid-summary').innerText()).toContain('Started');
  await docShot(teacher, 'classroom-grid.png');
});

test('the instructor watches the terminal and sees the student type', async () => {
  await row().getByRole('button', { name: STUDENT }).click();
  // The terminal viewer's code comes while the panel of a student with a lab running is open, before Watch.
  await teacher.waitForFunction(() => performance.getEntriesByType('resource').some((e) => /\/assets\/watch-panel-/.test(e.name)));
  await teacher.getByRole('button', { name: 'Watch terminal' }).click();
  await waitForTerminal(teacher, 'docker', /hello-from-42/, 60_000);
  await student.locator('.xterm-host.active').click();
  await student.keyboard.type('echo watched-$((40+2))');
  await waitForTerminal(teacher, 'docker', /echo watched-\$\(\(40\+2\)\)/);
  await student.keyboard.press('Enter');
  await waitForTerminal(teacher, 'docker', /^watched-42$/m);
  // Watching is read-only: typing into the watcher reaches nobody.
  await teacher.locator('.watch .xterm-host.active').click();
  await teacher.keyboard.type('echo not-sent');
  // The student's next command lands after anything the watcher could have sent.
  await student.locator('.xterm-host.active').click();
  await student.keyboard.type('echo marker-$((1+1))\n');
  await waitForTerminal(student, 'docker', /^marker-2$/m);
  expect(await terminalText(student, 'docker')).not.toContain('not-sent');
});

test('taking over: the student sees the banner and the instructor’s command runs in their terminal', async () => {
  await teacher.getByRole('button', { name: 'Take over' }).click();
  await teacher.getByText(/You are typing in Alan Turing’s terminal/).waitFor();
  const banner = student.locator('.takeover-banner');
  await banner.waitFor();
  expect(await banner.innerText()).toContain('Your instructor is typing');
  await teacher.keyboard.type('echo helped\n');
  await waitForTerminal(student, 'docker', /^helped$/m);
  await waitForTerminal(teacher, 'docker', /^helped$/m);
  await docShot(student, 'classroom-takeover.png');
  await docShot(teacher, 'classroom-watch.png');

  // To the catalog and back (the page's socket stays open): the lab page shows the banner again.
  await student.locator('a.brand').click();
  await student.locator('.lab-card').first().waitFor();
  await student.goBack();
  await banner.waitFor();
  await waitForTerminal(student, 'docker', /^helped$/m);

  // The student ends it; the instructor's keys stop going through.
  await banner.getByRole('button', { name: 'End the takeover' }).click();
  await banner.waitFor({ state: 'detached' });
  await teacher.getByRole('button', { name: 'Take over' }).waitFor();
  await waitForTerminal(student, 'docker', prompt);
});

test('an instructor pasting into a program that does not read is told to wait, then what was dropped', async () => {
  await teacher.getByRole('button', { name: 'Take over' }).click();
  await teacher.getByText(/You are typing in Alan Turing’s terminal/).waitFor();
  // No line editing and no echo: the terminal's buffer fills and stays full until `cat` empties it.
  await teacher.keyboard.type('stty -icanon -echo; sleep 5; timeout 4 cat >/dev/null; stty sane; echo calm-$((5*5))\n');
  await teacher.waitForTimeout(500);
  await teacher.evaluate((size) => {
    const clipboard = new DataTransfer();
    clipboard.setData('text/plain', 'x'.repeat(size));
    document.querySelector('.watch-terminals .xterm-host.active textarea')!.dispatchEvent(new ClipboardEvent('paste', { clipboardData: clipboard, bubbles: true, cancelable: true }));
  }, 2 * 1024 * 1024);
  const notice = teacher.locator('.watch .input-slow');
  await notice.waitFor({ timeout: 10_000 });
  expect(await notice.innerText()).toContain('not reading your input');
  await waitForTerminal(student, 'docker', /^calm-25$/m, 30_000);
  await teacher.getByText(/was dropped while the program was busy/).waitFor();
  await notice.getByRole('button', { name: 'Dismiss' }).click();
  await notice.waitFor({ state: 'detached' });
  await teacher.getByRole('button', { name: 'End takeover' }).click();
  await teacher.getByRole('button', { name: 'Take over' }).waitFor();
  await waitForTerminal(student, 'docker', prompt);
});

test('closing the student while typing ends the takeover', async () => {
  await teacher.getByRole('button', { name: 'Take over' }).click();
  const banner = student.locator('.takeover-banner');
  await banner.waitFor();
  await teacher.getByRole('button', { name: `Close ${STUDENT}` }).click();
  await banner.waitFor({ state: 'detached' });
  await teacher.waitForSelector(`tr.grid-row[data-student="${STUDENT}"] .flag.takeover`, { state: 'detached' });
});

test('a broadcast shows on the student’s lab page and stays until dismissed', async () => {
  await teacher.getByLabel('Message to the whole class').fill('Ten minutes left: finish step one');
  await teacher.getByRole('button', { name: 'Broadcast' }).click();
  await teacher.getByText('Sent to the whole class.').waitFor();
  const notice = student.locator('.notices .notice', { hasText: 'Ten minutes left: finish step one' });
  await notice.waitFor();
  await student.reload();
  await notice.waitFor(); // kept across a reload
  await notice.getByRole('button', { name: /^Dismiss/ }).click();
  await notice.waitFor({ state: 'detached' });
  await student.reload();
  await student.locator('.xterm-host.active').waitFor();
  expect(await student.locator('.notices .notice', { hasText: 'Ten minutes left' }).count()).toBe(0);
});

test('results download as CSV with the documented columns, and the analytics draw charts', async () => {
  const res = await teacher.request.get(`${berth.url}/api/instructor/classes/${encodeURIComponent(classId)}/results.csv`);
  expect(res.status()).toBe(200);
  expect(res.headers()['content-type']).toMatch(/^text\/csv/);
  const header = (await res.text()).split(/\r?\n/)[0]!.replace(/^\uFEFF/, '');
  expect(header.split(',')).toEqual([...RESULT_STEP_COLUMNS]);

  await teacher.goto(`${berth.url}/#/instructor/classes/${encodeURIComponent(classId)}/analytics`);
  const times = teacher.getByRole('img', { name: /^Time per step in Berth in the browser/ });
  await times.waitFor();
  expect(await times.getAttribute('aria-label')).toMatch(/Step 1: median \d/);
  expect(await times.locator('rect.box').count()).toBeGreaterThanOrEqual(1);
  const funnel = teacher.getByRole('img', { name: /^Drop-off in Berth in the browser/ });
  expect(await funnel.getAttribute('aria-label')).toMatch(/Step 1: \d+ reached, \d+ passed/);
  expect(await teacher.getByRole('link', { name: 'Every step of every student (CSV)' }).getAttribute('href')).toContain('/results.csv');
  await docShot(teacher, 'classroom-analytics.png');
});

test('a reset from the grid gives the student a fresh lab', async () => {
  await teacher.goto(`${berth.url}/#/instructor/classes/${encodeURIComponent(classId)}/live`);
  await row().waitFor();
  await row().getByRole('checkbox', { name: `Select ${STUDENT}` }).check();
  await teacher.getByRole('group', { name: 'Actions on the selected students' }).getByRole('button', { name: 'Reset lab' }).click();
  await teacher.getByText('Done for 1 of 1.').waitFor({ timeout: 120_000 });
  // The question said what a reset does: the lab restarts, the results stay.
  expect(dialogs.at(-1)).toMatch(/^Reset the lab of Alan Turing\?.*restarts at step 1\. Their results are kept/);
  // The student's page follows to the new session, with new machines and the first step open again.
  await student.waitForURL((u) => /#\/session\//.test(u.hash) && !u.hash.includes(firstSession), { timeout: 60_000 });
  await waitForTerminal(student, 'docker', prompt, 180_000);
  expect(await terminalText(student, 'docker')).not.toContain('hello-from-42');
  await student.locator('.xterm-host.active').click();
  await student.keyboard.type('test -e /root/done.txt && echo still-there || echo fresh-machine\n');
  await waitForTerminal(student, 'docker', /^fresh-machine$/m);
  await teacher.waitForSelector(`tr.grid-row[data-student="${STUDENT}"] td.cell[data-lab="browser-lab"][data-step="0"]:not([data-state="done"])`, { timeout: 30_000 });
});

test('no console errors or CSP violations', () => {
  expect(problems).toEqual([]);
});
