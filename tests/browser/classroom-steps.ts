/**
 * Steps the classroom browser tests share: the first instructor through the
 * setup link, a class made through the class form, a student joining with
 * the code and starting the class's lab. Everything through the real pages.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { root, waitForTerminal, whatWasKnown, type Berth } from './helpers';

export const INSTRUCTOR = { name: 'Ines Teacher', login: 'ines', password: 'correct horse battery' };
export const prompt = /root@docker:[^\n]*[#$]\s*$/;

/** The one-time setup link Berth prints at first start (as `berth admin setup-link` would). */
export function setupLink(berth: Berth): string {
  const link = berth.server.ctx.classroom.instructors.setupLink(berth.url);
  if (!link) throw new Error('Berth has an instructor already: no setup link');
  return link;
}

export async function setUpFirstInstructor(page: Page, berth: Berth): Promise<void> {
  await page.goto(setupLink(berth));
  await page.getByRole('heading', { name: 'Set up Berth' }).waitFor();
  await page.getByLabel('Your name').fill(INSTRUCTOR.name);
  await page.getByLabel('Login or email').fill(INSTRUCTOR.login);
  await page.getByLabel('Password', { exact: true }).fill(INSTRUCTOR.password);
  await page.getByLabel('Password again').fill(INSTRUCTOR.password);
  await page.getByRole('button', { name: 'Create the owner account' }).click();
  await page.getByRole('heading', { name: 'Classes' }).waitFor();
}

/** Creates a class with the fixture lab; returns its id and join code, leaving the page on the class page. */
export async function createClass(page: Page, name: string): Promise<{ classId: string; code: string }> {
  await page.getByRole('link', { name: 'New class' }).click();
  await page.getByLabel('Class name').fill(name);
  await page.getByLabel('Add a lab').selectOption('browser-lab');
  await page.getByRole('button', { name: 'Add lab', exact: true }).click();
  await page.locator('.lab-order li[data-lab-id="browser-lab"]').waitFor();
  await page.getByLabel('Seats (most students)').fill('12');
  await page.getByRole('button', { name: 'Create class' }).click();
  await page.getByRole('heading', { name }).waitFor();
  const code = (await page.locator('.join-code-big').getAttribute('data-code')) ?? '';
  const classId = /#\/instructor\/classes\/([^/]+)$/.exec(page.url())?.[1] ?? '';
  if (!code || !classId) throw new Error(`no code or class id on ${page.url()}`);
  return { classId: decodeURIComponent(classId), code };
}

/** Joins through the projector's link (`#/join/CODE`) and starts the fixture lab; waits for a prompt. */
export async function joinAndStart(page: Page, berth: Berth, code: string, name: string): Promise<string> {
  await page.goto(`${berth.url}/#/join/${code}`);
  expect(await page.getByLabel('Class code').inputValue()).toBe(code);
  await page.getByLabel('Your display name').fill(name);
  await page.getByRole('button', { name: 'Join' }).click();
  await page.getByRole('button', { name: 'Start: Berth in the browser' }).click();
  await page.waitForURL(/#\/session\//);
  const sessionId = /#\/session\/([^/?]+)/.exec(page.url())![1]!;
  try {
    await waitForTerminal(page, 'docker', prompt, 180_000);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${await whatWasKnown(berth, page, sessionId)}`, { cause: err });
  }
  return sessionId;
}

/** Screenshots for docs/classroom.md: small viewport, written into docs/. */
export async function docShot(page: Page, name: string): Promise<void> {
  const file = path.join(root, 'docs', name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await page.screenshot({ path: file });
}
