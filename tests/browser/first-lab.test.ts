/**
 * The first lab of the shipped course (`labs/first-container`), walked through
 * in a real browser from the catalog to the finish screen, against a real
 * Berth with a real lab machine pulling real images through the mirror.
 *
 * The student does what the page asks: clicks each step's Run buttons and
 * reads the output, types the step's solution by keyboard when the buttons
 * alone do not complete it, answers the quizzes (the key comes from the
 * loaded lab definition) and waits for each check to pass.
 */
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { loadLabs } from '../../server/labs/loader';
import type { LabDefinition, StepDefinition } from '../../server/labs/types';
import { launchBrowser, root, shot, startBerth, terminalText, waitForTerminal, waitForPortPage, watchConsole, whatWasKnown, type Berth } from './helpers';

jest.setTimeout(900_000);

const LAB = 'first-container';
const labsDir = path.join(root, 'labs');
const loaded = loadLabs(labsDir);
const lab = loaded.labs.find((l) => l.id === LAB) as LabDefinition;
const section = loaded.course.sections.find((s) => s.labs.includes(LAB));
const nextLab = loaded.labs.find((l) => l.id === lab?.next);

/**
 * What each Run button's command should print, per step (the same command can
 * show different things at different moments, e.g. `docker ps -a`).
 * `null`: the command prints nothing worth asserting (it only needs the prompt back).
 */
const OUTPUT: Record<string, Record<string, RegExp | null>> = {
  'Say hello': { 'docker run hello-world': /Hello from Docker!/ },
  'Run a server in the background': {
    'docker run -d --name web -p 8080:80 nginx': /^[0-9a-f]{64}$/m,
    'docker ps': /Up .*8080->80\/tcp\s+web/,
    'docker ps -a': /hello-world[\s\S]*Exited \(0\)/,
  },
  'Read the logs': {
    'curl -s localhost:8080 > /dev/null; curl -s localhost:8080/missing > /dev/null': null,
    'docker logs web': /"GET \/missing HTTP\/1\.1" 404/,
  },
  'A container is a process': {
    'docker top web': /nginx: master process/,
    'ps -ef | grep [n]ginx': /nginx: worker process/,
    "docker inspect -f '{{.State.Pid}}' web": /^\d+$/m,
  },
  'Stop the container': { 'docker stop web': /^web$/m, 'docker ps -a': /Exited \(\d+\)[^\n]*web/ },
  'Clean up, but keep the images': { 'docker rm web': /^web$/m },
};

let berth: Berth;
let browser: Browser;
let page: Page;
let problems: string[];

beforeAll(async () => {
  berth = await startBerth('firstlab', { labsDir });
  browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1440, height: 860 }, colorScheme: 'dark' });
  page = await context.newPage();
  problems = watchConsole(page);
});

afterAll(async () => {
  await browser?.close();
  await berth?.close();
});

const promptLine = /^root@docker:[^\n]*[#$](?: |$)/gm;
const atPrompt = /root@docker:[^\n]*[#$]\s*$/;
const prompts = (text: string) => (text.match(promptLine) ?? []).length;
const checkStatus = () => page.locator('.check-status');

/** Text of an HTML fragment, for comparing with what the page shows. */
function plain(html: string): string {
  return html
    .replace(/<[^>]+>/g, '')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

async function expectText(locator: Locator, text: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = await locator.innerText().catch(() => '');
    if (last.replace(/\s+/g, ' ').toLowerCase().includes(text.toLowerCase())) return;
    await page.waitForTimeout(100);
  }
  throw new Error(`expected "${text}" in: ${last}`);
}

/**
 * Does something that sends one command line, then waits for the command to
 * finish (one more prompt, and the terminal sits at a prompt). Returns what
 * the command printed.
 */
async function untilPromptBack(act: () => Promise<void>, what: string, timeoutMs = 180_000): Promise<string> {
  const before = await terminalText(page, 'docker');
  const n = prompts(before);
  await act();
  const deadline = Date.now() + timeoutMs;
  let text = before;
  while (Date.now() < deadline) {
    text = await terminalText(page, 'docker');
    if (prompts(text) > n && atPrompt.test(text)) {
      // What follows the command's own line, up to the new prompt.
      const out = text.slice(before.length).split('\n').slice(1, -1).join('\n');
      return out;
    }
    await page.waitForTimeout(200);
  }
  throw new Error(`"${what}" never returned to the prompt; the terminal shows:\n${text.slice(-2000)}`);
}

async function focusTerminal(): Promise<void> {
  await page.getByRole('tab', { name: /docker/ }).click();
  await page.locator('.xterm-host.active .xterm-screen').click();
}

/** Types one line into the focused terminal by keyboard and presses Enter. */
async function typeLine(line: string): Promise<string> {
  return untilPromptBack(async () => {
    await focusTerminal();
    await page.keyboard.type(line, { delay: 5 });
    await page.keyboard.press('Enter');
  }, line);
}

async function statusNow(): Promise<string> {
  return (await checkStatus().getAttribute('data-status')) ?? '';
}

/**
 * Waits for this step's check to pass: Berth checks by itself when a command
 * returns to the prompt; a student who waits a while presses Check. Returns
 * false (with the feedback seen) when the work is not done yet.
 */
async function checkPasses(waitMs: number): Promise<{ passed: boolean; feedback: string }> {
  try {
    await page.waitForSelector('.check-status[data-status="passed"]', { timeout: waitMs });
    return { passed: true, feedback: '' };
  } catch {
    /* press Check */
  }
  await page.getByRole('button', { name: 'Check', exact: true }).click();
  await page.waitForFunction(
    () => {
      const s = document.querySelector('.check-status')?.getAttribute('data-status');
      return s === 'passed' || s === 'failed';
    },
    null,
    { timeout: 120_000 },
  );
  return { passed: (await statusNow()) === 'passed', feedback: await checkStatus().innerText() };
}

async function clickRunButtons(step: StepDefinition): Promise<void> {
  const expected = OUTPUT[step.title] ?? {};
  for (const block of step.blocks) {
    if (block.kind !== 'run') continue;
    const box = page.locator(`.block-run[data-block-id="${block.id}"]`);
    await expectText(box.locator('code'), block.command.split('\n')[0]!);
    const button = box.getByRole('button', { name: new RegExp(`^${block.mode === 'run' ? 'Run' : 'Type'} in terminal ${block.machine}`) });
    let out: string;
    if (block.mode === 'run') {
      out = await untilPromptBack(() => button.click(), block.command);
    } else {
      // "Type" puts the command on the prompt line without Enter: the student reads it, then presses Enter.
      await button.click();
      await expectText(box, 'press Enter when ready');
      await waitForTerminal(page, 'docker', new RegExp(`[#$] ${escape(block.command)}$`), 15_000);
      out = await untilPromptBack(async () => {
        await page.locator('.xterm-host.active .xterm-screen').click();
        await page.keyboard.press('Enter');
      }, block.command);
    }
    const want = expected[block.command];
    if (want === undefined) throw new Error(`no expected output listed for "${block.command}" in step "${step.title}"`);
    if (want) expect(out).toMatch(want);
    console.log(`[${step.title}] ▶ ${block.command}\n${out.split('\n').slice(0, 6).join('\n')}`);
  }
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function answerQuizzes(step: StepDefinition): Promise<void> {
  for (const quiz of step.quizzes) {
    const form = page.locator(`.block-quiz[data-block-id="${quiz.id}"]`);
    await expectText(form.locator('legend'), plain(quiz.questionHtml).slice(0, 40));
    const choices = form.locator('label.choice');
    expect(await choices.count()).toBe(quiz.choices.length);
    for (const [i, c] of quiz.choices.entries()) if (c.correct) await choices.nth(i).click();
    await form.getByRole('button', { name: 'Answer' }).click();
    await expectText(form, 'Correct');
    await form.locator('.explanation').waitFor();
    await expectText(form.locator('.explanation'), plain(quiz.explanationHtml).slice(0, 40));
    for (const [i, c] of quiz.choices.entries()) if (c.correct) expect(await choices.nth(i).getAttribute('class')).toContain('right');
  }
}

test('the lab loads from the repository', () => {
  expect(lab).toBeDefined();
  expect(section).toBeDefined();
  expect(nextLab?.id).toBe('containers-vs-vms');
  expect(Object.keys(OUTPUT)).toEqual(lab.steps.map((s) => s.title));
});

test('a student joins and finds the first lab in its course section', async () => {
  await page.goto(berth.url);
  await page.getByLabel('Your display name').fill('Grace Hopper');
  await page.getByRole('button', { name: 'Join' }).click();
  await expectText(page.locator('#catalog-title'), loaded.course.title);
  const sec = page.locator(`.catalog-section[aria-label="${section!.title}"]`);
  await sec.waitFor();
  await expectText(sec.locator('h2'), section!.title);
  const card = sec.locator(`.lab-card[data-lab-id="${LAB}"]`);
  await card.waitFor();
  await expectText(card.locator('h3'), lab.title);
  await expectText(card, lab.summary.slice(0, 40));
  await expectText(card, lab.difficulty);
  await expectText(card, `0/${lab.steps.length} steps`);
  // Every lab of the course is offered, in course order.
  const ids = await page.locator('.lab-card').evaluateAll((els) => els.map((e) => e.getAttribute('data-lab-id')));
  expect(ids).toEqual(loaded.course.sections.flatMap((s) => s.labs));
  await shot(page, 'first-lab-catalog.png');
});

test('starting it shows a live terminal at a prompt and the first step', async () => {
  // While the student reads the catalog, the page fetches the lab page's code, so Start does not wait for it.
  await page.waitForFunction(() => performance.getEntriesByType('resource').some((e) => /\/assets\/lab-page-/.test(e.name)));
  const t0 = Date.now();
  await page.locator(`.lab-card[data-lab-id="${LAB}"]`).getByRole('button', { name: `Start: ${lab.title}` }).click();
  await page.waitForURL(/#\/session\//);
  const sessionId = /#\/session\/([^/?]+)/.exec(page.url())![1]!;
  try {
    await page.locator('.xterm-host.active').waitFor({ state: 'visible', timeout: 300_000 });
    await waitForTerminal(page, 'docker', atPrompt, 180_000);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${await whatWasKnown(berth, page, sessionId)}`, { cause: err });
  }
  console.log(`terminal prompt ${Date.now() - t0} ms after Start`);
  // Headless Chromium here draws WebGL on the CPU (SwiftShader), where xterm's DOM renderer is the faster one.
  // WebGL is set up when the page is idle: wait for that, then some, before reading which renderer draws.
  await page.evaluate(() => new Promise<void>((resolve) => requestIdleCallback(() => setTimeout(resolve, 500), { timeout: 2000 })));
  expect(await page.evaluate(() => (window as unknown as { berth: { renderer(id: string): string } }).berth.renderer('docker'))).toBe('dom');
  expect(await page.locator('#step-title').innerText()).toBe(lab.steps[0]!.title);
  await expectText(page.locator('.step-kicker'), `Step 1 of ${lab.steps.length}`);
  // The intro greets the student by name.
  await expectText(page.locator('.intro'), 'Welcome, Grace Hopper');
  await expectText(page.locator('.conn'), 'Connected');
});

describe('every step, in order', () => {
  for (const [index, step] of (lab?.steps ?? []).entries()) {
    test(`step ${index + 1}: ${step.title}`, async () => {
      const t0 = Date.now();
      expect(await page.locator('#step-title').innerText()).toBe(step.title);
      await expectText(page.locator('.step-kicker'), `Step ${index + 1} of ${lab.steps.length}`);

      await clickRunButtons(step);

      if (step.title === 'Run a server in the background') {
        // The step asks to open the nginx tab: it shows the page the container serves.
        await page.getByRole('tab', { name: /nginx/ }).click();
        expect(await waitForPortPage(page, 60_000)).toBe('Welcome to nginx!');
        await page.getByRole('tab', { name: /docker/ }).click();
      }

      if (step.checks.length > 0) {
        let result = await checkPasses(20_000);
        if (!result.passed) {
          // The Run buttons alone did not do the task: the check says why, and the student types the solution.
          expect(result.feedback).toMatch(/Not (done )?yet/);
          expect(result.feedback.length).toBeGreaterThan(20);
          console.log(`[${step.title}] check before typing: ${result.feedback}`);
          expect(step.solve.length).toBeGreaterThan(0);
          for (const block of step.solve) {
            for (const line of block.script.split('\n').filter((l) => l.trim())) await typeLine(line);
          }
          result = await checkPasses(30_000);
        }
        if (!result.passed) throw new Error(`step "${step.title}" did not pass after typing its solution: ${result.feedback}`);
        await expectText(checkStatus(), 'Well done');
      }

      await answerQuizzes(step);

      if (index === 3) await shot(page, 'first-lab-step.png');

      if (index < lab.steps.length - 1) {
        const next = page.getByRole('button', { name: 'Next step →' });
        await page.waitForFunction(() => !(document.querySelector('.step-nav .btn:last-child') as HTMLButtonElement | null)?.disabled, null, { timeout: 60_000 });
        await next.click();
        await page.waitForFunction((t) => document.querySelector('#step-title')?.textContent === t, lab.steps[index + 1]!.title);
        // The server agrees the step is done (a quiz-only step counts once its quiz is right).
        await page.waitForFunction(
          (i) => document.querySelectorAll('.step-item')[i]?.classList.contains('done'),
          index,
          { timeout: 60_000 },
        );
      }
      console.log(`step ${index + 1} "${step.title}": ${Date.now() - t0} ms`);
    });
  }
});

test('the finish screen sums up the lab and offers the next one', async () => {
  const finishBtn = page.getByRole('button', { name: 'Finish lab ✓' });
  await page.waitForFunction(
    () => {
      const b = Array.from(document.querySelectorAll('.step-nav button')).find((x) => x.textContent?.includes('Finish lab'));
      return b && !(b as HTMLButtonElement).disabled;
    },
    null,
    { timeout: 60_000 },
  );
  await finishBtn.click();
  const finish = page.locator('.finish');
  await finish.waitFor();
  expect(await finish.locator('h2').innerText()).toBe(`You finished “${lab.title}”`);
  expect(lab.finish).not.toBeNull();
  await expectText(finish.locator('.prose'), plain(lab.finish!.html).slice(0, 60));
  await expectText(finish, 'What you did');
  expect(await finish.locator('.learned li').allInnerTexts()).toEqual(lab.steps.map((s) => `✓ ${s.title}`));
  await finish.getByRole('button', { name: `Next lab: ${nextLab!.title} →` }).waitFor();
  await shot(page, 'first-lab-finish.png');
});

test('back in the catalog the lab shows as finished', async () => {
  await page.locator('.finish').getByRole('button', { name: 'End this lab' }).click();
  const card = page.locator(`.catalog-section[aria-label="${section!.title}"] .lab-card[data-lab-id="${LAB}"]`);
  await card.waitFor({ timeout: 60_000 });
  await expectText(card, '✓ Finished', 30_000);
  await expectText(card, `${lab.steps.length}/${lab.steps.length} steps`);
  expect(await card.getByRole('button', { name: `Do it again: ${lab.title}` }).count()).toBe(1);
  // The next lab is now the natural one to start; it is still new.
  await expectText(page.locator(`.lab-card[data-lab-id="${nextLab!.id}"]`), `0/`);
  expect(problems.filter((p) => !/WebGL|GPU stall|GL Driver/.test(p))).toEqual([]);
});
