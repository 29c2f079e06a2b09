/**
 * Contract: the classroom door. Nobody gets in without a code (open practice
 * is off here), wrong/expired/disabled codes all read the same, one-time
 * codes work once, a class's students stay inside its labs, students never
 * reach an instructor route or event, foreign Host names are refused on every
 * channel, logins are rate-limited and revoking a login closes its socket.
 * Only one test starts a lab machine (the per-class limit).
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { WRONG_CODE } from '../../server/classroom/joining';
import { INSTRUCTOR_EVENTS } from '../../server/contracts/classroom';
import { LIVE_ROUTES } from '../../server/http/class-live-api';
import { createApp } from '../../server/http/app';
import { INSTRUCTOR_ROUTES } from '../../server/http/instructor-api';
import { inbound } from '../../server/realtime/inbound';
import {
  api,
  connect,
  createClass,
  dockerObjects,
  connectInstructor,
  joinWithCode,
  loginInstructor,
  setupInstructor,
  startBerth,
  type Berth,
  type ClientSocket,
  type InstructorLogin,
  type Student,
} from './harness';

let berth: Berth;
let owner: InstructorLogin;
let classA: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
let classB: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
let ada: Student;
const open: ClientSocket[] = [];

beforeAll(async () => {
  berth = await startBerth('ct-door', { BERTH_OPEN_JOIN: 'false', BERTH_LOGIN_RATE_ACCOUNT: '3', BERTH_JOIN_FAILURES: '1000' });
  owner = await setupInstructor(berth);
  classA = await createClass(berth.url, owner.cookie, { name: 'A', labs: ['shell-only'], limits: { maxRunning: 1 } });
  classB = await createClass(berth.url, owner.cookie, { name: 'B', labs: ['hello'] });
  ada = await joinWithCode(berth.url, classA.joinCode.code, 'Ada');
}, 60_000);

afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

afterAll(async () => {
  await berth?.dispose();
  expect(await dockerObjects(berth.instance)).toEqual({ containers: [], networks: [], volumes: [] });
}, 120_000);

/** A request with a chosen Host header (fetch would not let us set it). */
function raw(method: string, route: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const url = new URL(berth.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, method, path: route, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('joining', () => {
  test('without a code: refused, naming the field', async () => {
    const r = await api(berth.url, 'POST', '/api/join', { body: { name: 'Nobody' } });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ code: 'invalid' });
    expect(r.json.error).toMatch(/^code:/);
    expect((await api(berth.url, 'GET', '/api/join')).json).toEqual({ openJoin: false });
  });

  test('a wrong code, a disabled code, an expired code and an archived class all get the same answer', async () => {
    const cls = await createClass(berth.url, owner.cookie, { name: 'Codes', labs: ['hello'] });
    const code: string = cls.joinCode.code;
    const refused = async (c: string) => {
      const r = await api(berth.url, 'POST', '/api/join', { body: { code: c, name: `P${Math.random()}`.slice(0, 10) } });
      expect(r.status).toBe(403);
      expect(r.json).toEqual({ error: WRONG_CODE, code: 'forbidden' });
      expect(r.setCookie).toBeNull();
    };
    await refused('ZZZZZZ');
    await refused('not a code!');

    const act = (body: unknown) => api(berth.url, 'POST', `/api/instructor/classes/${cls.id}/code`, { cookie: owner.cookie, body });
    expect((await act({ action: 'disable' })).status).toBe(200);
    await refused(code);
    expect((await act({ action: 'enable' })).status).toBe(200);
    // Typed the way people type it: lower case, with a dash.
    await joinWithCode(berth.url, `${code.slice(0, 3).toLowerCase()}-${code.slice(3)}`, 'Typist');

    expect((await act({ action: 'expire', expiresAt: Date.now() - 1000 })).status).toBe(200);
    await refused(code);
    expect((await act({ action: 'expire', expiresAt: null })).status).toBe(200);
    await joinWithCode(berth.url, code, 'After expiry lifted');

    const rotated = await act({ action: 'rotate' });
    expect(rotated.json.class.joinCode.code).not.toBe(code);
    await refused(code);

    expect((await api(berth.url, 'PATCH', `/api/instructor/classes/${cls.id}`, { cookie: owner.cookie, body: { archived: true } })).status).toBe(200);
    await refused(rotated.json.class.joinCode.code);
  });

  test('a one-time code lets one student in, once', async () => {
    const r = await api(berth.url, 'POST', `/api/instructor/classes/${classB.id}/one-time-codes`, { cookie: owner.cookie, body: { count: 2 } });
    expect(r.status).toBe(200);
    const [first] = r.json.codes as string[];
    expect(first).toMatch(/^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{8}$/);
    const exam = await joinWithCode(berth.url, first, 'Examinee');
    expect(berth.server.ctx.store.getStudent(exam.id)?.classId).toBe(classB.id);
    const again = await api(berth.url, 'POST', '/api/join', { body: { code: first, name: 'Someone else' } });
    expect(again.status).toBe(403);
    expect(again.json.error).toBe(WRONG_CODE);
  });

  test('names are unique per class; the same browser resumes; a new browser needs a re-admit', async () => {
    const code: string = classA.joinCode.code;
    const clash = await api(berth.url, 'POST', '/api/join', { body: { code, name: 'ada' } });
    expect(clash.status).toBe(409);
    expect(clash.json.error).toMatch(/already uses the name "Ada"/);

    const back = await joinWithCode(berth.url, code, 'Whatever I type', ada.cookie);
    expect(back.id).toBe(ada.id);

    const readmit = await api(berth.url, 'POST', `/api/instructor/classes/${classA.id}/students/${ada.id}/readmit`, { cookie: owner.cookie });
    expect(readmit.status).toBe(200);
    const otherPc = await joinWithCode(berth.url, code, 'Ada');
    expect(otherPc.id).toBe(ada.id);
    // The re-admit was good for one return only.
    expect((await api(berth.url, 'POST', '/api/join', { body: { code, name: 'Ada' } })).status).toBe(409);
  });

  test('a student who is not admitted has no identity until re-admitted', async () => {
    const cleo = await joinWithCode(berth.url, classB.joinCode.code, 'Cleo');
    berth.server.ctx.store.classroom.setAdmitted(cleo.id, false);
    expect((await api(berth.url, 'GET', '/api/me', { cookie: cleo.cookie })).status).toBe(401);
    await expect(connect(berth.url, cleo.cookie)).rejects.toThrow('not joined');
    const again = await api(berth.url, 'POST', '/api/join', { body: { code: classB.joinCode.code, name: 'Cleo' }, cookie: cleo.cookie });
    expect(again.status).toBe(403);
    expect(again.json.error).toMatch(/re-admit/);
    await api(berth.url, 'POST', `/api/instructor/classes/${classB.id}/students/${cleo.id}/readmit`, { cookie: owner.cookie });
    expect((await api(berth.url, 'GET', '/api/me', { cookie: cleo.cookie })).json.student.id).toBe(cleo.id);
  });

  test('seats are enforced', async () => {
    const small = await createClass(berth.url, owner.cookie, { name: 'Small', labs: ['hello'], seats: 1 });
    await joinWithCode(berth.url, small.joinCode.code, 'First');
    const full = await api(berth.url, 'POST', '/api/join', { body: { code: small.joinCode.code, name: 'Second' } });
    expect(full.status).toBe(409);
    expect(full.json.error).toMatch(/full \(1 seats\)/);
  });
});

describe('a class keeps its students inside its labs', () => {
  test("the catalog shows only the class's labs, and a lab outside them is refused", async () => {
    const labs = await api(berth.url, 'GET', '/api/labs', { cookie: ada.cookie });
    expect(labs.json.labs.map((l: { id: string }) => l.id)).toEqual(['shell-only']);
    const r = await api(berth.url, 'POST', '/api/sessions', { cookie: ada.cookie, body: { labId: 'hello' } });
    expect(r.status).toBe(403);
    expect(r.json.error).toMatch(/not part of your class "A"/);
    expect(berth.server.ctx.store.studentSessions(ada.id)).toEqual([]);
  });

  test("the class's limit of labs running at once queues the next student", async () => {
    const bea = await joinWithCode(berth.url, classA.joinCode.code, 'Bea');
    const first = await api(berth.url, 'POST', '/api/sessions', { cookie: ada.cookie, body: { labId: 'shell-only' } });
    expect(first.status).toBe(200);
    const second = await api(berth.url, 'POST', '/api/sessions', { cookie: bea.cookie, body: { labId: 'shell-only' } });
    expect(second.status).toBe(200);
    expect(second.json.session.state).toBe('queued');
    await berth.server.ctx.sessions.settled(first.json.session.id);
    expect(berth.server.ctx.sessions.get(second.json.session.id)?.state).toBe('queued');
    await berth.server.ctx.sessions.stop(second.json.session.id);
    await berth.server.ctx.sessions.stop(first.json.session.id);
  }, 120_000);
});

describe('students never reach the instructor side', () => {
  /** Every /api/instructor route the contract lists, read from server/contracts/classroom.ts itself. */
  function contractRoutes(): Array<[string, string]> {
    const text = fs.readFileSync(path.join(__dirname, '..', '..', 'server', 'contracts', 'classroom.ts'), 'utf8');
    const out: Array<[string, string]> = [];
    for (const m of text.matchAll(/^\s*\*\s+(GET|POST|PATCH|DELETE|PUT)\s+(\/api\/instructor\/\S+)/gm)) out.push([m[1], m[2].replace(/\?.*$/, '')]);
    return out;
  }

  /**
   * Every route the real app serves below /api/instructor, wherever it is mounted (behind the guard or
   * beside it, as ops/metrics-routes.ts's summary is), read from express's own router stack.
   */
  function servedRoutes(): string[] {
    type Layer = { rawPath?: unknown; route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };
    const out: string[] = [];
    const walk = (stack: Layer[], prefix: string) => {
      for (const layer of stack) {
        if (layer.route) {
          for (const method of Object.keys(layer.route.methods)) out.push(`${method.toUpperCase()} ${prefix}${layer.route.path}`);
        } else if (layer.handle?.stack) {
          walk(layer.handle.stack, typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? prefix + layer.rawPath : prefix);
        }
      }
    };
    walk((createApp(berth.server.ctx) as unknown as { router: { stack: Layer[] } }).router.stack, '');
    return out.filter((r) => / \/api\/instructor\//.test(r)).map((r) => r.replace(':loginId', ':id'));
  }

  test('every instructor route, enumerated from the contract and the served app, answers 401 to a student and to a stranger', async () => {
    const routes = contractRoutes();
    // The route table serves exactly what the contract lists for it (login is the one public route).
    for (const r of INSTRUCTOR_ROUTES) {
      const p = `/api/instructor${r.path.replace(':loginId', ':id')}`;
      expect(routes.some(([m, c]) => m === r.method.toUpperCase() && c === p)).toBe(true);
    }
    // …and the app serves exactly the contract: no route is left out of either, the ones mounted outside the guard included.
    const served = servedRoutes();
    expect(served).toContain('GET /api/instructor/metrics-summary');
    expect(served).toContain(`${LIVE_ROUTES[0].method} /api/instructor${LIVE_ROUTES[0].path}`);
    expect([...new Set(served)].sort()).toEqual(routes.map(([m, p]) => `${m} ${p}`).sort());
    for (const [method, route] of routes) {
      if (route === '/api/instructor/login') continue;
      const concrete = route.replace(':id', classA.id).replace(':studentId', ada.id);
      for (const cookie of [ada.cookie, undefined]) {
        const r = await api(berth.url, method, concrete, { cookie, body: method === 'GET' ? undefined : {} });
        expect([method, concrete, r.status, r.json.code]).toEqual([method, concrete, 401, 'unauthenticated']);
      }
    }
  });

  test('every instructor-only socket event is refused to a student as forbidden', async () => {
    const s = await connect(berth.url, ada.cookie);
    open.push(s);
    const instructorOnly = INSTRUCTOR_EVENTS.filter((e) => !(e in inbound));
    expect(instructorOnly).toEqual(['class:watch', 'class:unwatch', 'terminal:watch', 'terminal:unwatch', 'terminal:takeover']);
    for (const event of instructorOnly) {
      const reply = await (s.timeout(5000) as unknown as { emitWithAck(e: string, p: unknown): Promise<unknown> }).emitWithAck(event, { classId: classA.id });
      expect([event, reply]).toEqual([event, { ok: false, error: 'Only instructors may do that.', code: 'forbidden' }]);
    }
  });

  test("an instructor sees only their own classes; someone else's class looks absent", async () => {
    const made = await api(berth.url, 'POST', '/api/instructor/instructors', {
      cookie: owner.cookie,
      body: { name: 'Ian', login: 'ian@school.test', password: 'another long password', role: 'instructor', classIds: [classB.id] },
    });
    expect(made.status).toBe(200);
    const ian = await loginInstructor(berth.url, 'ian@school.test', 'another long password');
    const list = await api(berth.url, 'GET', '/api/instructor/classes', { cookie: ian });
    expect(list.json.classes.map((c: { id: string }) => c.id)).toEqual([classB.id]);
    for (const route of [`/api/instructor/classes/${classA.id}`, `/api/instructor/classes/${classA.id}/roster`, `/api/instructor/classes/nonexistent`]) {
      const r = await api(berth.url, 'GET', route, { cookie: ian });
      expect([route, r.status, r.json]).toEqual([route, 404, { error: 'There is no such class.', code: 'not_found' }]);
    }
    const add = await api(berth.url, 'POST', '/api/instructor/instructors', {
      cookie: ian,
      body: { name: 'X', login: 'x@school.test', password: 'yet another password', role: 'owner' },
    });
    expect(add.status).toBe(403);
  });
});

describe('the Host allowlist', () => {
  test('HTTP with a foreign Host is refused 421 before anything else, the port proxy included', async () => {
    for (const route of ['/api/health', '/api/labs', '/', `/s/abcdefghij12/box/80/`]) {
      const r = await raw('GET', route, { host: 'evil.example:8080', cookie: ada.cookie });
      expect([route, r.status]).toEqual([route, 421]);
      expect(JSON.parse(r.body).code).toBe('misdirected');
    }
    expect((await raw('GET', '/api/health', { host: `localhost:${new URL(berth.url).port}` })).status).toBe(200);
  });

  test('websocket upgrades with a foreign Host are refused 403 (socket.io and the port proxy)', async () => {
    const upgrade = { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' };
    for (const route of ['/socket.io/?EIO=4&transport=websocket', '/s/abcdefghij12/box/80/']) {
      const r = await raw('GET', route, { ...upgrade, host: 'evil.example', cookie: ada.cookie });
      expect([route, r.status]).toEqual([route, 403]);
    }
    await expect(connect(berth.url, ada.cookie, { host: 'evil.example' })).rejects.toThrow();
    await expect(connect(berth.url, ada.cookie, { origin: 'http://evil.example' })).rejects.toThrow();
  });

  test('health tells a stranger only that Berth is up', async () => {
    expect((await api(berth.url, 'GET', '/api/health')).json).toEqual({ ok: true });
  });
});

describe('instructor logins', () => {
  test('setup works once', async () => {
    expect((await api(berth.url, 'GET', '/api/setup')).json).toEqual({ needsSetup: false });
    const r = await api(berth.url, 'POST', '/api/setup', { body: { token: 'guess', name: 'Mallory', login: 'mallory', password: 'long enough password' } });
    expect(r.status).toBe(403);
    expect(berth.server.ctx.classroom.instructors.setupToken()).toBeNull();
  });

  test('login is rate-limited per account: after 3 wrong passwords even the right one waits', async () => {
    await api(berth.url, 'POST', '/api/instructor/instructors', {
      cookie: owner.cookie,
      body: { name: 'Rita', login: 'rita', password: 'rita has a long password', role: 'instructor' },
    });
    for (let i = 0; i < 3; i++) {
      const r = await api(berth.url, 'POST', '/api/instructor/login', { body: { login: 'rita', password: `wrong ${i}` } });
      expect(r.status).toBe(401);
      expect(r.json).toEqual({ error: 'Wrong login or password.', code: 'unauthenticated' });
    }
    const limited = await api(berth.url, 'POST', '/api/instructor/login', { body: { login: 'rita', password: 'rita has a long password' } });
    expect(limited.status).toBe(429);
    expect(limited.json.code).toBe('rate_limited');
    expect(limited.setCookie).toBeNull();
    // Another account is not locked by Rita's attempts.
    expect((await api(berth.url, 'POST', '/api/instructor/login', { body: { login: owner.login, password: owner.password } })).status).toBe(200);
  });

  test('revoking a login session disconnects the socket that rides on it', async () => {
    const laptop = await loginInstructor(berth.url, owner.login, owner.password);
    const s = await connectInstructor(berth.url, laptop);
    open.push(s);
    const disconnected = new Promise<string>((resolve) => s.once('disconnect', (reason) => resolve(reason)));
    const logins = await api(berth.url, 'GET', '/api/instructor/logins', { cookie: owner.cookie });
    const mine = await api(berth.url, 'GET', '/api/instructor/logins', { cookie: laptop });
    const laptopId: string = mine.json.logins.find((l: { current: boolean }) => l.current).id;
    expect(logins.json.logins.some((l: { id: string }) => l.id === laptopId)).toBe(true);
    expect((await api(berth.url, 'DELETE', `/api/instructor/logins/${laptopId}`, { cookie: owner.cookie })).status).toBe(200);
    expect(await disconnected).toBe('io server disconnect');
    expect((await api(berth.url, 'GET', '/api/instructor/me', { cookie: laptop })).status).toBe(401);
    await expect(connect(berth.url, laptop)).rejects.toThrow('not joined');
  });

  test('an instructor cookie is not a student identity, and a student cookie is not an instructor one', async () => {
    expect((await api(berth.url, 'GET', '/api/me', { cookie: owner.cookie })).status).toBe(401);
    expect((await api(berth.url, 'POST', '/api/sessions', { cookie: owner.cookie, body: { labId: 'hello' } })).status).toBe(401);
    expect((await api(berth.url, 'GET', '/api/instructor/me', { cookie: ada.cookie })).status).toBe(401);
  });
});
