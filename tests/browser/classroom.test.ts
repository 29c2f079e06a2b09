/**
 * The classroom door in a real browser against a real Berth (open practice
 * off): the first-start setup link makes the first instructor, who creates a
 * class; a second browser context joins with the class code and starts a
 * lab; the roster shows that student running.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, startBerth, watchConsole, type Berth } from './helpers';
import { createClass, docShot, joinAndStart, setUpFirstInstructor, setupLink } from './classroom-steps';

jest.setTimeout(300_000);

let berth: Berth;
let browser: Browser;
let teacherCtx: BrowserContext;
let studentCtx: BrowserContext;
let teacher: Page;
let student: Page;
let problems: string[];
let code = '';
const studentRequests: string[] = [];

beforeAll(async () => {
  berth = await startBerth('classroom', { openJoin: false });
  browser = await launchBrowser();
  teacherCtx = await browser.newContext({ viewport: { width: 1100, height: 720 }, colorScheme: 'light' });
  studentCtx = await browser.newContext({ viewport: { width: 1100, height: 720 }, colorScheme: 'dark' });
  teacher = await teacherCtx.newPage();
  student = await studentCtx.newPage();
  problems = [...watchConsole(teacher), ...watchConsole(student)];
  student.on('request', (r) => studentRequests.push(r.url()));
});

afterAll(async () => {
  await browser?.close();
  await berth?.close();
});

test('a stranger cannot join without a code, and the instructor pages ask for a sign-in', async () => {
  await student.goto(berth.url);
  await student.getByLabel('Your display name').fill('Nobody');
  await student.getByRole('button', { name: 'Join' }).click();
  await student.getByText('Type the class code your teacher shows you.').waitFor();
  await student.getByLabel('Class code').fill('ZZZZZZ');
  await student.getByRole('button', { name: 'Join' }).click();
  await student.getByText(/That code does not let you in/).waitFor();
  expect(await student.getByLabel('Class code').getAttribute('aria-invalid')).toBe('true');

  await teacher.goto(`${berth.url}/#/instructor`);
  await teacher.getByRole('heading', { name: 'Instructor sign-in' }).waitFor();
  await teacher.getByText(/Berth has no instructor yet/).waitFor();
});

test('the setup link makes the first instructor, who creates a class with a join code', async () => {
  await teacher.goto(setupLink(berth));
  await teacher.getByRole('heading', { name: 'Set up Berth' }).waitFor();
  await teacher.getByLabel('Your name').fill('Ines Teacher');
  await teacher.getByLabel('Login or email').fill('ines');
  await docShot(teacher, 'classroom-setup.png');
  await setUpFirstInstructor(teacher, berth);
  // An empty form says what is missing, at each field.
  await teacher.getByRole('link', { name: 'New class' }).click();
  await teacher.getByLabel('Seats (most students)').fill('0');
  await teacher.getByRole('button', { name: 'Create class' }).click();
  await teacher.getByText('Give the class a name.').waitFor();
  await teacher.getByText('Pick at least one lab.').waitFor();
  await teacher.getByText('Seats must be a whole number from 1 to 500.').waitFor();
  expect(await teacher.getByLabel('Class name').getAttribute('aria-invalid')).toBe('true');
  await teacher.getByRole('link', { name: 'Cancel' }).click();
  // The form filled in, for the guide.
  await teacher.getByRole('link', { name: 'New class' }).click();
  await teacher.getByLabel('Class name').fill('Docker 101');
  await teacher.getByLabel('Add a lab').selectOption('browser-lab');
  await teacher.getByRole('button', { name: 'Add lab', exact: true }).click();
  await teacher.getByLabel('Seats (most students)').fill('12');
  await docShot(teacher, 'classroom-class-form.png');
  await teacher.getByRole('link', { name: 'Cancel' }).click();
  const made = await createClass(teacher, 'Docker 101');
  code = made.code;
  expect(code).toMatch(/^[A-HJ-NP-Z2-9]{6}$/);
  expect(await teacher.locator('.join-code-big').innerText()).toBe(`${code.slice(0, 3)}-${code.slice(3)}`);
  expect(await teacher.locator('img.qr').getAttribute('src')).toContain('/qr.svg');
  // Without BERTH_PUBLIC_URL the link is the address this page was opened by, here a loopback one: the page says so.
  const warning = teacher.getByRole('alert').filter({ hasText: 'loopback' });
  expect(await warning.innerText()).toMatch(/127\.0\.0\.1 is each computer's own \(loopback\) address\. Set BERTH_PUBLIC_URL/);
  await teacher.getByRole('button', { name: 'Projector view' }).click();
  await teacher.locator('img.qr').evaluate((img: HTMLImageElement) => img.decode());
  // Not on the projector: that is for the students.
  expect(await warning.count()).toBe(0);
  await docShot(teacher, 'classroom-code.png');
  await teacher.getByRole('button', { name: 'Leave projector view' }).click();
  await warning.waitFor();
  await teacher.getByText('Nobody has joined yet.').waitFor();
});

test('a student joins with the code and starts the class lab; the roster shows them running', async () => {
  await joinAndStart(student, berth, code, 'Grace Hopper');
  // The catalog of a class student shows only the class's labs; the fixture has one.
  await teacher.getByRole('button', { name: 'Refresh' }).click();
  const row = teacher.locator('tr[data-student="Grace Hopper"]');
  await row.waitFor();
  for (let i = 0; i < 40 && (await row.getAttribute('data-state')) !== 'running'; i++) {
    await teacher.waitForTimeout(250);
    await teacher.getByRole('button', { name: 'Refresh' }).click();
  }
  expect(await row.getAttribute('data-state')).toBe('running');
  expect(await row.locator('td.state').innerText()).toBe('running');
  expect(await row.locator('td').first().innerText()).toBe('browser-lab');
  await row.scrollIntoViewIfNeeded();
  await docShot(teacher, 'classroom-roster.png');
});

test('the same name cannot join the class again from another browser', async () => {
  const other = await browser.newContext();
  try {
    const page = await other.newPage();
    await page.goto(`${berth.url}/#/join/${code}`);
    await page.getByLabel('Your display name').fill('Grace Hopper');
    await page.getByRole('button', { name: 'Join' }).click();
    await page.getByText(/already uses the name "Grace Hopper"/).waitFor();
    expect(await page.getByLabel('Your display name').getAttribute('aria-invalid')).toBe('true');
  } finally {
    await other.close();
  }
});

test('one-time codes for an exam are listed for printing', async () => {
  await teacher.getByText('One-time codes (exams)').click();
  await teacher.getByLabel('How many').fill('3');
  await teacher.getByRole('button', { name: 'Make codes' }).click();
  const list = teacher.getByRole('list', { name: 'One-time codes' });
  await list.waitFor();
  const codes = await list.locator('code').allInnerTexts();
  expect(codes).toHaveLength(3);
  for (const c of codes) expect(c).toMatch(/^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/);
  expect(new Set(codes).size).toBe(3);
});

test('the owner adds an instructor; the audit log and the sign-ins page show what happened', async () => {
  await teacher.getByRole('link', { name: 'Instructors' }).click();
  await teacher.getByLabel('Name', { exact: true }).fill('Second Teacher');
  await teacher.getByLabel('Login or email').fill('second');
  await teacher.getByLabel('First password').fill('another long password');
  await teacher.getByLabel('Docker 101').check();
  await teacher.getByRole('button', { name: 'Add instructor' }).click();
  await teacher.getByText('Second Teacher can now sign in as second.').waitFor();
  await teacher.locator('table tr', { hasText: 'second' }).waitFor();
  await docShot(teacher, 'classroom-instructors.png');

  await teacher.getByRole('link', { name: 'Audit log' }).click();
  const audit = teacher.locator('table.itable tbody');
  await audit.waitFor();
  const actions = await audit.locator('th[scope=row]').allInnerTexts();
  for (const a of ['setup', 'class.create', 'code.one-time', 'instructor.create']) expect(actions).toContain(a);
  await docShot(teacher, 'classroom-audit.png');

  // The same instructor on a second computer, with the live view open.
  const laptopCtx = await browser.newContext();
  const laptop = await laptopCtx.newPage();
  await laptop.goto(`${berth.url}/#/instructor`);
  await laptop.getByLabel('Login or email').fill('ines');
  await laptop.getByLabel('Password').fill('correct horse battery');
  await laptop.getByRole('button', { name: 'Sign in' }).click();
  await laptop.getByRole('link', { name: 'Live view of Docker 101' }).click();
  await laptop.locator('tr.grid-row[data-student="Grace Hopper"]').waitFor();

  await teacher.getByRole('link', { name: 'Sign-ins' }).click();
  await teacher.getByText('this browser').waitFor();
  expect(await teacher.locator('table.itable tbody tr').count()).toBe(2);
  await teacher.getByRole('button', { name: 'Sign out everywhere' }).click();
  await teacher.getByRole('heading', { name: 'Instructor sign-in' }).waitFor();
  // The other computer's open live view notices by itself and asks for a sign-in.
  await laptop.getByRole('heading', { name: 'Instructor sign-in' }).waitFor({ timeout: 30_000 });
  await laptopCtx.close();
  // Signing back in works, and the class is still there.
  await teacher.getByLabel('Login or email').fill('ines');
  await teacher.getByLabel('Password').fill('correct horse battery');
  await teacher.getByRole('button', { name: 'Sign in' }).click();
  await teacher.getByRole('link', { name: 'Docker 101', exact: true }).waitFor();
});

test('a teacher who tries the class as a student in the same browser keeps a working live view', async () => {
  // The browser now holds both cookies, and the catalog opens the page's socket (as the student) before any Start.
  await teacher.goto(`${berth.url}/#/join/${code}`);
  await teacher.getByLabel('Your display name').fill('Ines Trying');
  const studentSocket = teacher.waitForEvent('websocket', (ws) => ws.url().includes('/socket.io/'));
  await teacher.getByRole('button', { name: 'Join' }).click();
  await teacher.getByRole('button', { name: 'Start: Berth in the browser' }).waitFor();
  await studentSocket;
  await teacher.goto(`${berth.url}/#/instructor`);
  await teacher.getByRole('link', { name: 'Live view of Docker 101' }).click();
  // Rows come over the socket, as the instructor: a student's socket would get no answer.
  await teacher.locator('tr.grid-row[data-student="Grace Hopper"]').waitFor();
  await teacher.locator('tr.grid-row[data-student="Ines Trying"]').waitFor();
  // Opened afresh (the next morning), the live view's first socket is the instructor's too.
  await teacher.reload();
  await teacher.locator('tr.grid-row[data-student="Ines Trying"]').waitFor();
  expect(await teacher.getByText(/not available|did not answer/).count()).toBe(0);
});

test('a student never downloads the instructor pages', () => {
  expect(studentRequests.some((u) => /\/assets\/lab-page-/.test(u))).toBe(true); // the student's own lazy chunk did load
  expect(studentRequests.filter((u) => /instructor-app|watch-panel/.test(u))).toEqual([]);
});

test('no console errors or CSP violations', () => {
  expect(problems.filter((p) => !/status of (403|409)/.test(p))).toEqual([]);
});
