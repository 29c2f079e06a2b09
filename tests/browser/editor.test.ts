/**
 * The editor beside the terminal, in a real browser on a real machine: open a
 * file from the tree, edit, Ctrl-S, see it in the terminal with its mode kept;
 * a change made in the terminal meanwhile is a conflict with three choices;
 * the editor wears the terminal's colours; unsaved work survives a reload
 * as reopened tabs, and leaving the lab page with it asks first; binary and
 * oversized files are refused; the tree follows the terminal; a tablet in
 * portrait gets a folded tree and a list of open files, and the keyboard alone
 * opens, edits and saves.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, root, shot, startBerth, waitForTerminal, watchConsole, type Berth } from './helpers';

const LABS = path.join(__dirname, 'fixtures', 'editor-labs');

jest.setTimeout(300_000);
// This test is about the editor, not the door: open practice lets a name alone in.
process.env.BERTH_OPEN_JOIN = 'true';

let berth: Berth;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let problems: string[];
/** Every dialog the page raised, and how the next ones are answered. */
const dialogs: { type: string; message: string }[] = [];
let answer: 'accept' | 'dismiss' = 'accept';

const prompt = /root@docker:[^\n]*[#$]\s*$/;

beforeAll(async () => {
  berth = await startBerth('editor', { labsDir: LABS });
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1440, height: 860 }, colorScheme: 'dark' });
  page = await context.newPage();
  problems = watchConsole(page);
  page.on('dialog', (d) => {
    dialogs.push({ type: d.type(), message: d.message() });
    void (answer === 'accept' ? d.accept() : d.dismiss());
  });
  await page.goto(berth.url);
  await page.getByLabel('Your display name').fill('Grace');
  await page.getByRole('button', { name: 'Join' }).click();
  await page.getByRole('button', { name: 'Start: The editor' }).click();
  await page.waitForURL(/#\/session\//);
  await page.locator('.xterm-host.active').waitFor({ state: 'visible', timeout: 180_000 });
  await waitForTerminal(page, 'docker', prompt, 120_000);
});

afterAll(async () => {
  await browser?.close();
  await berth?.close();
});

async function typeInTerminal(command: string, expect: RegExp): Promise<string> {
  await terminalTab().click();
  await page.locator('.xterm-host.active .xterm-screen').click();
  await page.keyboard.type(command);
  await page.keyboard.press('Enter');
  try {
    return await waitForTerminal(page, 'docker', expect);
  } catch (err) {
    await shot(page, 'editor-failed.png');
    throw err;
  }
}

const editorTab = () => page.getByRole('tab', { name: /Editor/ });
const terminalTab = () => page.locator('[data-tab="term:docker"]');
const cm = () => page.locator('.editor-cm:not([hidden]) .cm-content');

/** Waits until `read` gives `want` (10 s), then asserts it, so a failure shows the last value. */
async function until<T>(read: () => T | Promise<T>, want: T): Promise<void> {
  const end = Date.now() + 10_000;
  let got = await read();
  while (got !== want && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 100));
    got = await read();
  }
  expect(got).toBe(want);
}

/** Walks the tree to `target` with its own Up button and folder entries, as a student would. */
async function showFolder(target: string): Promise<void> {
  for (let i = 0; i < 8; i++) {
    const here = (await page.locator('.editor-dir').innerText()).trim();
    if (here === target) return;
    if (target.startsWith(here === '/' ? '/' : `${here}/`)) {
      const next = target.slice(here === '/' ? 1 : here.length + 1).split('/')[0];
      await page.locator('.tree-item', { hasText: `${next}/` }).click();
    } else {
      await page.getByRole('button', { name: 'Up one folder' }).click();
    }
    await page.waitForFunction((prev) => document.querySelector('.editor-dir')?.textContent?.trim() !== prev, here);
  }
  throw new Error(`the tree never showed ${target}`);
}

test("a lab step's Open in editor creates the file with the block's text, selects its line, and the check sees it", async () => {
  await page.getByRole('button', { name: 'Open /root/app/Dockerfile in the editor on docker' }).click();
  await page.locator('.editor-tab.selected', { hasText: 'Dockerfile' }).waitFor({ timeout: 60_000 });
  await page.waitForFunction(() => document.querySelector('.editor-cm:not([hidden]) .cm-content')?.textContent?.includes('RUN echo from-the-lab'));
  // lines=2 is selected: typing replaces it.
  await page.keyboard.type('RUN echo from-the-lab-and-me');
  await page.keyboard.press('Control+s');
  await page.getByText('Saved /root/app/Dockerfile.').waitFor();
  await page.getByRole('button', { name: 'Check', exact: true }).click();
  await page.waitForSelector('.check-status[data-status="passed"]', { timeout: 30_000 });
  const text = await typeInTerminal('cat /root/app/Dockerfile; echo; echo lab-$((2*2))', /^lab-4$/m);
  expect(text).toMatch(/^FROM alpine\nRUN echo from-the-lab-and-me\nCMD \["sh"\]$/m);
  // Pressed again, the button opens the student's version; it never overwrites it.
  await page.getByRole('button', { name: 'Open /root/app/Dockerfile in the editor on docker' }).click();
  expect(await page.locator('.editor-cm:not([hidden]) .cm-content').innerText()).toContain('from-the-lab-and-me');
  await page.getByRole('button', { name: 'Close Dockerfile' }).click();
});

test('a file opened from the tree is edited, saved with Ctrl-S, and the terminal sees it with its mode', async () => {
  await typeInTerminal("mkdir -p /root/app && printf 'FROM alpine\\n' > /root/app/Dockerfile && chmod 750 /root/app/Dockerfile && echo made-$((3*3))", /^made-9$/m);
  await editorTab().click();
  await showFolder('/root/app');
  await page.locator('.tree-item', { hasText: 'Dockerfile' }).click();
  await cm().waitFor();
  await page.waitForFunction(() => document.querySelector('.editor-cm:not([hidden]) .cm-content')?.textContent?.includes('FROM alpine'));
  await cm().click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type('RUN echo edited-in-browser');
  await page.locator('.editor-tab.selected', { hasText: '●' }).waitFor();
  await page.keyboard.press('Control+s');
  await page.locator('.editor-tab.selected', { hasText: '●' }).waitFor({ state: 'detached' });
  await page.getByText('Saved /root/app/Dockerfile.').waitFor();
  await shot(page, 'editor.png');
  fs.copyFileSync(path.join(root, 'test-results', 'editor.png'), path.join(root, 'docs', 'screenshot-editor.png'));

  // The terminal's colours (client/src/terminal/themes.ts), keywords in its magenta, on either theme.
  const look = () =>
    page.evaluate(() => ({
      background: getComputedStyle(document.querySelector('.editor-cm:not([hidden]) .cm-editor')!).backgroundColor,
      colours: Array.from(document.querySelectorAll('.editor-cm:not([hidden]) .cm-line span'), (el) => getComputedStyle(el).color),
    }));
  const dark = await look();
  expect(dark.background).toBe('rgb(15, 20, 25)');
  expect(dark.colours).toContain('rgb(215, 166, 255)');
  await page.getByRole('button', { name: 'Switch to light theme' }).click();
  await page.waitForFunction(() => getComputedStyle(document.querySelector('.editor-cm:not([hidden]) .cm-editor')!).backgroundColor === 'rgb(251, 251, 248)');
  expect((await look()).colours).toContain('rgb(123, 42, 154)');
  await page.getByRole('button', { name: 'Switch to dark theme' }).click();
  await page.waitForFunction(() => getComputedStyle(document.querySelector('.editor-cm:not([hidden]) .cm-editor')!).backgroundColor === 'rgb(15, 20, 25)');

  const text = await typeInTerminal('cat /root/app/Dockerfile; echo; stat -c mode-%a /root/app/Dockerfile', /^mode-\d+$/m);
  expect(text).toMatch(/^RUN echo edited-in-browser$/m);
  expect(text).toMatch(/^mode-750$/m);
});

test('a change made in the terminal meanwhile is a conflict: see both, reload, or overwrite', async () => {
  await editorTab().click();
  await cm().click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type('\n# mine');
  await typeInTerminal('echo "# from the terminal" > /root/app/Dockerfile; echo changed-$((2*5))', /^changed-10$/m);

  await editorTab().click();
  await cm().click();
  await page.keyboard.press('Control+s');
  const bar = page.locator('.editor-conflict');
  await bar.waitFor();
  await bar.getByRole('button', { name: 'See both' }).click();
  expect(await bar.locator('figure').nth(0).innerText()).toContain('# mine');
  expect(await bar.locator('figure').nth(1).innerText()).toContain('# from the terminal');
  await bar.getByRole('button', { name: "Reload the machine's version" }).click();
  await page.waitForFunction(() => document.querySelector('.editor-cm:not([hidden]) .cm-content')?.textContent === '# from the terminal');
  expect(await bar.count()).toBe(0);

  // Again, and this time the student keeps theirs.
  await cm().click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type('\n# mine again');
  await typeInTerminal('echo "# terminal again" > /root/app/Dockerfile; echo again-$((3*5))', /^again-15$/m);
  await editorTab().click();
  await page.getByRole('button', { name: 'Save' }).click();
  await page.locator('.editor-conflict').getByRole('button', { name: 'Overwrite with mine' }).click();
  await page.getByText('Saved /root/app/Dockerfile.').waitFor();
  const text = await typeInTerminal('cat /root/app/Dockerfile; echo; echo end-$((4*4))', /^end-16$/m);
  expect(text).toMatch(/^# mine again$/m);
});

test('unsaved changes survive a page reload as a reopened tab marked unsaved', async () => {
  await editorTab().click();
  await cm().click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type('\n# not saved yet');
  dialogs.length = 0;
  await page.reload();
  expect(dialogs.map((d) => d.type)).toEqual(['beforeunload']);
  await page.locator('.xterm-host.active').waitFor({ state: 'visible', timeout: 60_000 });
  await editorTab().click();
  // No walk through the tree: the file with a draft is back as a tab, marked unsaved.
  await page.getByText('Reopened Dockerfile with your unsaved changes.').waitFor();
  await page.locator('.editor-tab.selected', { hasText: 'Dockerfile' }).getByLabel('(unsaved)').waitFor();
  await page.waitForFunction(() => document.querySelector('.editor-cm:not([hidden]) .cm-content')?.textContent?.includes('# not saved yet'));
});

test('leaving the lab page with unsaved changes asks first: the Berth logo, End lab', async () => {
  answer = 'dismiss';
  dialogs.length = 0;
  const lab = page.url();
  await page.locator('a.brand').click();
  await until(() => dialogs.length, 1);
  expect(dialogs[0]!.message).toMatch(/^You have unsaved changes in the editor \(Dockerfile\)\. Leave the lab page\?/);
  expect(page.url()).toBe(lab);

  await page.getByRole('button', { name: 'End lab' }).click();
  await page.getByRole('button', { name: 'Yes, end it' }).click();
  await until(() => dialogs.length, 2);
  expect(dialogs[1]!.message).toMatch(/Ending the lab removes the machines, and the changes with them\. End it anyway\?$/);
  await page.getByRole('button', { name: 'End lab' }).waitFor();
  expect(await page.locator('.editor-tab.selected', { hasText: 'Dockerfile' }).getByLabel('(unsaved)').count()).toBe(1);
  answer = 'accept';

  // Saved, nothing is asked any more.
  await cm().click();
  await page.keyboard.press('Control+s');
  await page.getByText('Saved /root/app/Dockerfile.').waitFor();
  await page.locator('a.brand').click();
  await page.waitForURL((u) => !u.hash.startsWith('#/session/'));
  expect(dialogs).toHaveLength(2);
  await page.goBack();
  await page.locator('.xterm-host.active').waitFor({ state: 'visible', timeout: 60_000 });
});

test('the tree follows the terminal, and binary and oversized files are refused with a message', async () => {
  await editorTab().click();
  await showFolder('/root/app');
  await typeInTerminal('head -c 200 /dev/urandom > /root/app/blob.bin; printf "\\0" >> /root/app/blob.bin; echo blob-$((6*6))', /^blob-36$/m);
  await editorTab().click();
  // No refresh pressed: the prompt came back, so the tree reloaded by itself.
  await page.locator('.tree-item', { hasText: 'blob.bin' }).click({ timeout: 15_000 });
  await page.getByText(/blob\.bin is not a text file/).waitFor();
  await typeInTerminal('head -c 2000000 /dev/zero | tr "\\0" a > /root/app/big.txt; echo big-$((7*7))', /^big-49$/m);
  await editorTab().click();
  await page.locator('.tree-item', { hasText: 'big.txt' }).click({ timeout: 15_000 });
  await page.getByText('/root/app/big.txt is larger than the 1 MiB the editor opens (download it instead).').waitFor();
  expect(await page.locator('.editor-tab', { hasText: 'big.txt' }).count()).toBe(0);
});

/** Presses Tab (or Shift-Tab) until the focused element matches; only keys, the page is only looked at. */
async function tabTo(selector: string, text?: string, back = false): Promise<void> {
  for (let i = 0; i < 80; i++) {
    if (i > 0) await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const here = await page.evaluate(
      ([sel, t]) => {
        const el = document.activeElement as HTMLElement | null;
        if (el?.closest('.xterm')) return 'terminal';
        return el?.matches(sel!) && (!t || el.textContent?.includes(t)) ? 'found' : 'no';
      },
      [selector, text] as const,
    );
    if (here === 'found') return;
    if (here === 'terminal') throw new Error(`Tab went into the terminal looking for ${selector}`);
  }
  throw new Error(`Tab never reached ${selector} ${text ?? ''}`);
}

const focused = () => page.evaluate(() => ({ tag: document.activeElement?.tagName, cls: (document.activeElement as HTMLElement | null)?.className ?? '', label: document.activeElement?.getAttribute('aria-label') ?? '' }));

test('on a tablet in portrait the tree starts folded and folds after opening, the tabs are a list, and the keyboard alone opens, edits and saves', async () => {
  await page.setViewportSize({ width: 768, height: 1024 });
  await page.reload();
  await page.locator('.xterm-host.active').waitFor({ state: 'visible', timeout: 60_000 });
  await waitForTerminal(page, 'docker', prompt, 60_000);
  await page.evaluate(() => {
    const w = window as unknown as { berthSaveKeys: boolean[] };
    w.berthSaveKeys = [];
    // Last in the bubbling order: what the browser's own Ctrl-S (Save page) would see.
    window.addEventListener('keydown', (e) => {
      if (e.ctrlKey && e.key === 's') w.berthSaveKeys.push(e.defaultPrevented);
    });
    (document.activeElement as HTMLElement | null)?.blur();
  });

  // To the lab's tabs, then along them with the arrow keys to the Editor.
  await page.keyboard.press('Tab');
  await tabTo('[role=tab][aria-selected=true]');
  for (let i = 0; i < 6 && (await page.evaluate(() => (document.activeElement as HTMLElement).dataset.tab)) !== 'edit:docker'; i++) await page.keyboard.press('ArrowRight');
  const files = page.getByRole('button', { name: '☰ Files' });
  await files.waitFor();
  expect(await files.getAttribute('aria-expanded')).toBe('false');
  expect(await page.locator('nav.editor-tree').isVisible()).toBe(false);
  expect(await page.locator('.editor-tabs[role=tablist]').count()).toBe(0);
  await page.getByRole('combobox', { name: 'Open files' }).waitFor();

  await tabTo('button[aria-controls="tree-docker"]');
  await page.keyboard.press('Enter');
  await page.locator('nav.editor-tree').waitFor({ state: 'visible' });
  await tabTo('.tree-item', 'app/');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('.editor-dir')?.textContent?.trim() === '/root/app');
  await tabTo('.tree-item', 'Dockerfile');
  await page.keyboard.press('Enter');

  // Opened: the tree folded away, the file is in the list, and the cursor is in the text.
  await page.waitForFunction(() => document.activeElement?.classList.contains('cm-content'));
  expect(await files.getAttribute('aria-expanded')).toBe('false');
  expect(await page.locator('nav.editor-tree').isVisible()).toBe(false);
  await page.keyboard.press('Control+End');
  await page.keyboard.type('\n# keyboard');
  await until(() => page.locator('select[aria-label="Open files"] option:checked').innerText(), 'Dockerfile ● (unsaved)');
  await shot(page, 'editor-narrow.png');

  // Out of the text (Escape, then Shift-Tab) to the file list's close button: Ctrl-S saves there too.
  await page.keyboard.press('Escape');
  await page.keyboard.press('Shift+Tab');
  expect(await focused()).toMatchObject({ tag: 'BUTTON', label: 'Close Dockerfile' });
  await page.keyboard.press('Control+s');
  await page.getByText('Saved /root/app/Dockerfile.').waitFor();
  await until(() => page.locator('select[aria-label="Open files"] option:checked').innerText(), 'Dockerfile');
  // And from the toolbar.
  await tabTo('button[aria-controls="tree-docker"]', undefined, true);
  await page.keyboard.press('Control+s');
  await page.getByText('Saved /root/app/Dockerfile.').waitFor();
  expect(await page.evaluate(() => (window as unknown as { berthSaveKeys: boolean[] }).berthSaveKeys)).toEqual([true, true]);
  const text = await typeInTerminal('tail -n 1 /root/app/Dockerfile; echo; echo kb-$((8*8))', /^kb-64$/m);
  expect(text).toMatch(/^# keyboard$/m);
  await page.setViewportSize({ width: 1440, height: 860 });
});

test('files and folders are created, renamed and deleted from the toolbar', async () => {
  await page.setViewportSize({ width: 1440, height: 860 });
  await editorTab().click();
  await page.getByRole('button', { name: 'New file' }).click();
  await page.getByLabel('New file name').fill('compose.yaml');
  await page.getByRole('button', { name: 'Create' }).click();
  await page.locator('.editor-tab.selected', { hasText: 'compose.yaml' }).waitFor();
  await page.locator('.tree-item', { hasText: 'compose.yaml' }).click();
  await page.getByRole('button', { name: 'Rename' }).click();
  await page.getByLabel(/Rename compose.yaml to/).fill('docker-compose.yaml');
  await page.getByRole('button', { name: 'Rename', exact: true }).last().click();
  await page.locator('.tree-item', { hasText: 'docker-compose.yaml' }).click();
  await page.getByRole('button', { name: 'Delete' }).click();
  await page.locator('.editor-pending').getByRole('button', { name: 'Delete' }).click();
  await page.getByText('Deleted /root/app/docker-compose.yaml.').waitFor();
  await page.locator('.tree-item', { hasText: 'docker-compose.yaml' }).waitFor({ state: 'detached' });
  // Its open tab went with it.
  expect(await page.locator('.editor-tab', { hasText: 'compose.yaml' }).count()).toBe(0);
  // On purpose above: 404 when "Open in editor" found no file yet (then made it), 409 for the
  // conflicts, 413 for the oversized file, 415 for the binary one. Nothing else may complain.
  expect(problems.filter((p) => !/status of (404|409|413|415)/.test(p))).toEqual([]);
});
