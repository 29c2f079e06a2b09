/**
 * Co-teaching in a real browser: the owner adds an instructor to an existing
 * class from its edit page; that instructor, signed in elsewhere, sees the
 * class; taken off again, they no longer do.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, startBerth, watchConsole, type Berth } from './helpers';
import { createClass, setUpFirstInstructor } from './classroom-steps';

jest.setTimeout(180_000);

const BEA = { name: 'Bea Teacher', login: 'bea@school.test', password: 'bea-password-1234' };

let berth: Berth;
let browser: Browser;
let ownerCtx: BrowserContext;
let beaCtx: BrowserContext;
let owner: Page;
let bea: Page;
let problems: string[];
let classId = '';

beforeAll(async () => {
  berth = await startBerth('coteach', { openJoin: false });
  browser = await launchBrowser();
  ownerCtx = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  beaCtx = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  owner = await ownerCtx.newPage();
  bea = await beaCtx.newPage();
  problems = [...watchConsole(owner), ...watchConsole(bea)];
  await setUpFirstInstructor(owner, berth);
  classId = (await createClass(owner, 'Docker 101')).classId;
  const made = await owner.request.post(`${berth.url}/api/instructor/instructors`, { data: { ...BEA, role: 'instructor' } });
  expect(made.status()).toBe(200);
});

afterAll(async () => {
  await browser?.close();
  await berth?.close();
});

async function setTeaching(on: boolean): Promise<void> {
  await owner.goto(`${berth.url}/#/instructor/classes/${encodeURIComponent(classId)}/edit`);
  const box = owner.getByRole('group', { name: 'Who teaches this class' }).getByLabel(/Bea Teacher/);
  await box.waitFor();
  if (on) await box.check();
  else await box.uncheck();
  await owner.getByRole('button', { name: 'Save changes' }).click();
  await owner.getByRole('heading', { name: 'Docker 101' }).waitFor();
}

test('an instructor added to an existing class sees it; taken off, they do not', async () => {
  await bea.goto(`${berth.url}/#/instructor`);
  await bea.getByLabel('Login or email').fill(BEA.login);
  await bea.getByLabel('Password').fill(BEA.password);
  await bea.getByRole('button', { name: 'Sign in' }).click();
  await bea.getByRole('heading', { name: 'Classes' }).waitFor();
  expect(await bea.getByRole('link', { name: 'Docker 101', exact: true }).count()).toBe(0);

  await setTeaching(true);
  await bea.reload();
  await bea.getByRole('link', { name: 'Docker 101', exact: true }).waitFor();

  await setTeaching(false);
  await bea.reload();
  await bea.getByRole('heading', { name: 'Classes' }).waitFor();
  expect(await bea.getByRole('link', { name: 'Docker 101', exact: true }).count()).toBe(0);
  expect(problems).toEqual([]);
});
