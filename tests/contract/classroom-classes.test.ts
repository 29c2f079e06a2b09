/**
 * Contract: classes as an instructor runs them. Create and validate, the
 * code display (URL and QR), roster with a running student, per-class
 * limits, archived classes, the audit log, login sessions, open practice,
 * and the `berth admin` commands on the same database. One lab machine.
 */
import { Command } from 'commander';
import { OPEN_PRACTICE_CLASS_ID } from '../../server/classroom';
import { registerAdminCommands } from '../../server/cli/admin-commands';
import { api, createClass, dockerObjects, join, joinWithCode, loginInstructor, setupInstructor, startBerth, type Berth, type InstructorLogin } from './harness';

let berth: Berth;
let owner: InstructorLogin;

beforeAll(async () => {
  // Open practice on (the harness default): the classroom and today's name-only join side by side.
  berth = await startBerth('ct-classes', { BERTH_PUBLIC_URL: 'http://berth.school.test:8080' });
  owner = await setupInstructor(berth);
}, 60_000);

afterAll(async () => {
  await berth?.dispose();
  expect(await dockerObjects(berth.instance)).toEqual({ containers: [], networks: [], volumes: [] });
}, 120_000);

const valid = { name: 'Docker 101', labs: ['hello', 'shell-only'], seats: 24, startsAt: null, endsAt: null, allowRejoinByName: false, limits: { maxRunning: null, sessionMinutes: 45, idleMinutes: null } };

describe('creating and changing a class', () => {
  test('a valid class comes back whole, with a typeable code, its join URL and the creator as teacher', async () => {
    const r = await api(berth.url, 'POST', '/api/instructor/classes', { cookie: owner.cookie, body: valid });
    expect(r.status).toBe(200);
    const cls = r.json.class;
    expect(cls).toMatchObject({ name: 'Docker 101', labs: ['hello', 'shell-only'], seats: 24, students: 0, running: 0, archived: false, openPractice: false, prewarm: null });
    expect(cls.limits).toEqual({ maxRunning: null, sessionMinutes: 45, idleMinutes: null });
    expect(cls.joinCode.code).toMatch(/^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{6}$/);
    expect(cls.joinCode.joinUrl).toBe(`http://berth.school.test:8080/#/join/${cls.joinCode.code}`);
    expect(cls.instructors).toEqual([{ id: owner.id, name: 'Olive Owner' }]);

    const qr = await fetch(`${berth.url}/api/instructor/classes/${cls.id}/qr.svg`, { headers: { cookie: owner.cookie } });
    expect(qr.status).toBe(200);
    expect(qr.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(await qr.text()).toMatch(/^<svg[^>]*>.*<path/s);
  });

  test('bad input is refused with the field named', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ ...valid, name: '' }, /^name:/],
      [{ ...valid, seats: 0 }, /^seats:/],
      [{ ...valid, labs: ['no-such-lab'] }, /^labs: no lab called "no-such-lab"/],
      [{ ...valid, labs: ['hello', 'hello'] }, /^labs: a lab is listed twice/],
      [{ ...valid, startsAt: 2000, endsAt: 1000 }, /^endsAt:/],
      [{ ...valid, limits: { ...valid.limits, idleMinutes: -5 } }, /^limits\.idleMinutes:/],
      [{ ...valid, extra: 1 }, /^body:|extra/],
      [{ name: 'x' }, /^labs:/],
    ];
    for (const [body, message] of cases) {
      const r = await api(berth.url, 'POST', '/api/instructor/classes', { cookie: owner.cookie, body });
      expect([JSON.stringify(body), r.status, r.json.code]).toEqual([JSON.stringify(body), 400, 'invalid']);
      expect(r.json.error).toMatch(message);
    }
  });

  test('PATCH changes only what it names; an archived class is read-only and its code stops working', async () => {
    const cls = await createClass(berth.url, owner.cookie, { name: 'Patch me', labs: ['hello'] });
    const early = await joinWithCode(berth.url, cls.joinCode.code, 'Early');
    const r = await api(berth.url, 'PATCH', `/api/instructor/classes/${cls.id}`, { cookie: owner.cookie, body: { seats: 5, limits: { idleMinutes: 10 } } });
    expect(r.json.class).toMatchObject({ name: 'Patch me', seats: 5, labs: ['hello'], limits: { maxRunning: null, sessionMinutes: null, idleMinutes: 10 } });

    expect((await api(berth.url, 'PATCH', `/api/instructor/classes/${cls.id}`, { cookie: owner.cookie, body: { archived: true } })).json.class.archived).toBe(true);
    const edit = await api(berth.url, 'PATCH', `/api/instructor/classes/${cls.id}`, { cookie: owner.cookie, body: { name: 'Renamed' } });
    expect(edit.status).toBe(409);
    expect((await api(berth.url, 'POST', `/api/instructor/classes/${cls.id}/code`, { cookie: owner.cookie, body: { action: 'rotate' } })).status).toBe(409);
    expect((await api(berth.url, 'POST', `/api/instructor/classes/${cls.id}/one-time-codes`, { cookie: owner.cookie, body: { count: 3 } })).status).toBe(409);
    expect((await api(berth.url, 'POST', '/api/join', { body: { code: cls.joinCode.code, name: 'Late' } })).status).toBe(403);
    // Its students may look at their progress but start nothing.
    const start = await api(berth.url, 'POST', '/api/sessions', { cookie: early.cookie, body: { labId: 'hello' } });
    expect(start.status).toBe(403);
    expect(start.json.error).toMatch(/archived/);
    const list = await api(berth.url, 'GET', '/api/instructor/classes', { cookie: owner.cookie });
    expect(list.json.classes.find((c: { id: string }) => c.id === cls.id).archived).toBe(true);
  });

  test('the instructors\' catalog lists every lab with its section and step count', async () => {
    const r = await api(berth.url, 'GET', '/api/instructor/catalog', { cookie: owner.cookie });
    expect(r.status).toBe(200);
    const hello = r.json.labs.find((l: { id: string }) => l.id === 'hello');
    expect(hello).toMatchObject({ id: 'hello', stepCount: expect.any(Number) });
    expect(Array.isArray(r.json.sections)).toBe(true);
  });
});

describe('students in a class', () => {
  test('the roster shows a joined student running their lab; the class limit on time applies', async () => {
    const cls = await createClass(berth.url, owner.cookie, { name: 'Roster', labs: ['shell-only'], limits: { sessionMinutes: 7, idleMinutes: 1 } });
    const kim = await joinWithCode(berth.url, cls.joinCode.code, 'Kim');
    const before = await api(berth.url, 'GET', `/api/instructor/classes/${cls.id}/roster`, { cookie: owner.cookie });
    expect(before.json.roster).toEqual([{ studentId: kim.id, name: 'Kim', joinedAt: expect.any(Number), admitted: true, session: null, lastActivityAt: null }]);

    const started = Date.now();
    const s = await api(berth.url, 'POST', '/api/sessions', { cookie: kim.cookie, body: { labId: 'shell-only' } });
    expect(s.status).toBe(200);
    const id: string = s.json.session.id;
    await berth.server.ctx.sessions.settled(id);
    const row = berth.server.ctx.sessions.get(id)!;
    expect(row.state).toBe('running');
    // 7 minutes, the class's limit, not the global 120.
    expect(row.expiresAt - started).toBeLessThanOrEqual(7 * 60_000 + 5_000);
    expect(row.expiresAt - started).toBeGreaterThan(6 * 60_000);

    const roster = await api(berth.url, 'GET', `/api/instructor/classes/${cls.id}/roster`, { cookie: owner.cookie });
    expect(roster.json.roster[0].session).toEqual({ id, labId: 'shell-only', state: 'running' });
    const view = await api(berth.url, 'GET', `/api/instructor/classes/${cls.id}`, { cookie: owner.cookie });
    expect(view.json.class).toMatchObject({ students: 1, running: 1 });

    // The class's idle pause (1 minute), not the global 30: a sweep 90 s on pauses the lab.
    await berth.server.ctx.sessions.sweep(Date.now() + 90_000);
    expect(berth.server.ctx.sessions.get(id)?.state).toBe('paused');
    await berth.server.ctx.sessions.stop(id);
  }, 120_000);

  test('open practice: a name alone joins the built-in class, which offers every lab', async () => {
    expect((await api(berth.url, 'GET', '/api/join')).json).toEqual({ openJoin: true });
    const walkIn = await join(berth.url, 'Walk-in');
    expect(berth.server.ctx.store.getStudent(walkIn.id)?.classId).toBe(OPEN_PRACTICE_CLASS_ID);
    const labs = await api(berth.url, 'GET', '/api/labs', { cookie: walkIn.cookie });
    expect(labs.json.labs.length).toBe(berth.server.ctx.catalog.all().length);
    const op = await api(berth.url, 'GET', `/api/instructor/classes/${OPEN_PRACTICE_CLASS_ID}`, { cookie: owner.cookie });
    expect(op.json.class).toMatchObject({ openPractice: true, name: 'Open practice', joinCode: { code: null, joinUrl: null } });
    const code = await api(berth.url, 'POST', `/api/instructor/classes/${OPEN_PRACTICE_CLASS_ID}/code`, { cookie: owner.cookie, body: { action: 'rotate' } });
    expect(code.status).toBe(400);
  });
});

describe('instructor accounts', () => {
  test('every instructor action lands in the audit log, newest first', async () => {
    const cls = await createClass(berth.url, owner.cookie, { name: 'Audited', labs: ['hello'] });
    await api(berth.url, 'POST', `/api/instructor/classes/${cls.id}/code`, { cookie: owner.cookie, body: { action: 'disable' } });
    const r = await api(berth.url, 'GET', `/api/instructor/audit?classId=${cls.id}`, { cookie: owner.cookie });
    expect(r.json.entries.map((e: { action: string }) => e.action)).toEqual(['code.disable', 'class.create']);
    expect(r.json.entries[0]).toMatchObject({ instructorId: owner.id, instructorName: 'Olive Owner', classId: cls.id, detail: { action: 'disable' } });
    const all = await api(berth.url, 'GET', '/api/instructor/audit', { cookie: owner.cookie });
    expect(all.json.entries.map((e: { action: string }) => e.action)).toContain('setup');
  });

  test('login sessions are listed, logout ends one, logout-all ends every one', async () => {
    const a = await loginInstructor(berth.url, owner.login, owner.password);
    const b = await loginInstructor(berth.url, owner.login, owner.password);
    const listed = await api(berth.url, 'GET', '/api/instructor/logins', { cookie: a });
    expect(listed.json.logins.filter((l: { current: boolean }) => l.current)).toHaveLength(1);
    expect(listed.json.logins.length).toBeGreaterThanOrEqual(3);

    const out = await api(berth.url, 'POST', '/api/instructor/logout', { cookie: a });
    expect(out.status).toBe(200);
    expect(out.setCookie).toMatch(/berth_instructor=;.*HttpOnly/i);
    expect((await api(berth.url, 'GET', '/api/instructor/me', { cookie: a })).status).toBe(401);
    expect((await api(berth.url, 'GET', '/api/instructor/me', { cookie: b })).status).toBe(200);

    const c = await loginInstructor(berth.url, owner.login, owner.password);
    expect((await api(berth.url, 'POST', '/api/instructor/logout-all', { cookie: c })).status).toBe(200);
    for (const cookie of [b, c, owner.cookie]) expect((await api(berth.url, 'GET', '/api/instructor/me', { cookie })).status).toBe(401);
    owner.cookie = await loginInstructor(berth.url, owner.login, owner.password);
  });

  test('the login cookie is HttpOnly and SameSite=Lax; Secure when reached over HTTPS through a loopback proxy', async () => {
    const plain = await api(berth.url, 'POST', '/api/instructor/login', { body: { login: owner.login, password: owner.password } });
    expect(plain.setCookie).toMatch(/HttpOnly/i);
    expect(plain.setCookie).toMatch(/SameSite=Lax/i);
    expect(plain.setCookie).not.toMatch(/Secure/i);
    const proxied = await api(berth.url, 'POST', '/api/instructor/login', { body: { login: owner.login, password: owner.password }, headers: { 'x-forwarded-proto': 'https' } });
    expect(proxied.setCookie).toMatch(/Secure/i);
  });

  test('berth admin: create and reset-password work on the same database; setup-link is gone once set up', async () => {
    const lines: string[] = [];
    const errors: string[] = [];
    const saved = { ...process.env };
    Object.assign(process.env, berth.env);
    try {
      const runCli = async (args: string[], password = 'from the command line') => {
        const program = new Command().exitOverride();
        registerAdminCommands(program, { out: (l) => lines.push(l), err: (l) => errors.push(l), readPassword: async () => password });
        await program.parseAsync(['node', 'berth', ...args]);
      };
      await runCli(['admin', 'setup-link']);
      expect(errors.pop()).toMatch(/an instructor exists already/);
      await runCli(['admin', 'create', '--login', 'cli@school.test', '--name', 'Cli Teacher']);
      expect(lines.pop()).toBe('created instructor "cli@school.test" (Cli Teacher)');
      const cookie = await loginInstructor(berth.url, 'cli@school.test', 'from the command line');
      await runCli(['admin', 'reset-password', 'cli@school.test'], 'a brand new password');
      expect(lines.pop()).toMatch(/password of "cli@school.test" changed/);
      expect((await api(berth.url, 'GET', '/api/instructor/me', { cookie })).status).toBe(401);
      await loginInstructor(berth.url, 'cli@school.test', 'a brand new password');
      await runCli(['admin', 'create', '--login', 'weak', '--name', 'W'], 'short');
      expect(errors.pop()).toMatch(/password: use at least 10/);
    } finally {
      process.env = saved;
      process.exitCode = 0;
    }
  });
});
