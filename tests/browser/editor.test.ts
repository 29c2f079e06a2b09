/**
 * The editor beside the terminal, in a real browser on a real machine: open a
 * file from the tree, edit, Ctrl-S, see it in the terminal with its mode kept;
 * a change made in the terminal meanwhile is a conflict with three choices;
 * unsaved work survives a reload; binary files are refused; the tree follows
 * the terminal.
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

const prompt = /root@docker:[^\n]*[#$]\s*$/;

beforeAll(async () => {
  berth = await startBerth('editor', { labsDir: LABS });
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1440, height: 860 }, colorScheme: 'dark' });
  page = await context.newPage();
  problems = watchConsole(page);
  page.on('dialog', (d) => void d.accept());
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

test('unsaved changes survive a page reload', async () => {
  await editorTab().click();
  await cm().click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type('\n# not saved yet');
  await page.reload();
  await page.locator('.xterm-host.active').waitFor({ state: 'visible', timeout: 60_000 });
  await editorTab().click();
  await showFolder('/root/app');
  await page.locator('.tree-item', { hasText: 'Dockerfile' }).click();
  await page.getByText('Restored your unsaved changes to Dockerfile.').waitFor();
  await page.waitForFunction(() => document.querySelector('.editor-cm:not([hidden]) .cm-content')?.textContent?.includes('# not saved yet'));
  await cm().click();
  await page.keyboard.press('Control+s');
  await page.getByText('Saved /root/app/Dockerfile.').waitFor();
});

test('the tree follows the terminal, and a binary file is refused with a message', async () => {
  await editorTab().click();
  expect(await page.locator('.editor-dir').innerText()).toBe('/root/app');
  await typeInTerminal('head -c 200 /dev/urandom > /root/app/blob.bin; printf "\\0" >> /root/app/blob.bin; echo blob-$((6*6))', /^blob-36$/m);
  await editorTab().click();
  // No refresh pressed: the prompt came back, so the tree reloaded by itself.
  await page.locator('.tree-item', { hasText: 'blob.bin' }).click({ timeout: 15_000 });
  await page.getByText(/blob\.bin is not a text file/).waitFor();
});

test('on a narrow screen the tree folds away behind the Files button, and the keyboard alone saves', async () => {
  await page.setViewportSize({ width: 760, height: 1000 });
  await editorTab().click();
  const files = page.getByRole('button', { name: '☰ Files' });
  const tree = page.locator('nav.editor-tree');
  expect(await files.getAttribute('aria-expanded')).toBe('true');
  await files.click();
  expect(await files.getAttribute('aria-expanded')).toBe('false');
  expect(await tree.isVisible()).toBe(false);
  await files.press('Enter');
  await tree.waitFor({ state: 'visible' });
  // Keyboard only: Tab to a file in the tree, Enter opens it, type, Ctrl-S saves.
  await page.locator('.tree-item', { hasText: 'Dockerfile' }).focus();
  await page.keyboard.press('Enter');
  await cm().waitFor();
  await cm().focus();
  await page.keyboard.press('Control+End');
  await page.keyboard.type('\n# keyboard');
  await page.keyboard.press('Control+s');
  await page.locator('.editor-tab.selected', { hasText: '●' }).waitFor({ state: 'detached' });
  await page.setViewportSize({ width: 1440, height: 860 });
});

test('files and folders are created, renamed and deleted from the toolbar', async () => {
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
  // conflicts, 415 for the binary file. Nothing else may complain.
  expect(problems.filter((p) => !/status of (404|409|415)/.test(p))).toEqual([]);
});
