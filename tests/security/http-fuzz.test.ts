/**
 * HTTP fuzzer over every REST route: the routes are read from the express
 * router stack itself (a new route is fuzzed without anyone listing it),
 * with hostile path parameters, bodies, content types and identities. No
 * answer may be a 5xx, every /api answer is JSON, Berth keeps serving, and
 * memory stays bounded. Without identity, nothing protected answers 2xx.
 * Signed in as an instructor, /api/instructor/* is fuzzed with near-misses of
 * each route's valid body as well.
 */
import type express from 'express';
import { createApp } from '../../server/http/app';
import { deep, nearMiss, Rng } from './fuzz-payloads';
import { createClass, join, joinWithCode, loginInstructor, setupInstructor, startBerth, startLab, type Berth, type Student } from '../contract/harness';

jest.setTimeout(300_000);

const SEED = Number(process.env.BERTH_FUZZ_SEED ?? 1129);

let berth: Berth;
let ada: Student;
let sessionId: string;

beforeAll(async () => {
  // The instructor fuzz signs in again whenever it signed itself out: not a brute force to slow down.
  berth = await startBerth('sec-httpfuzz', { BERTH_OPEN_JOIN: 'true', BERTH_LOGIN_RATE_ADDRESS: '100000', BERTH_LOGIN_RATE_ACCOUNT: '100000' });
  ada = await join(berth.url, 'Ada');
  sessionId = await startLab(berth, ada, 'shell-only');
});

afterAll(async () => {
  await berth?.dispose();
});

interface Route {
  method: string;
  path: string;
}

interface StackLayer {
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: StackLayer[] };
}

/**
 * Every route in the app. Express 5 keeps no mount path on a router's layer,
 * so a route inside a mounted router is tried under each mount point Berth
 * uses; one that does not exist there is answered 404, which is fine too.
 */
function routesOf(app: express.Express): Route[] {
  const out: Route[] = [];
  const mounts = ['', '/api', '/api/instructor'];
  const walk = (stack: StackLayer[], nested: boolean) => {
    for (const layer of stack) {
      if (layer.route && typeof layer.route.path === 'string') {
        for (const method of Object.keys(layer.route.methods)) {
          for (const mount of nested ? mounts : ['']) out.push({ method: method.toUpperCase(), path: mount + layer.route.path });
        }
      } else if (layer.handle?.stack) walk(layer.handle.stack, true);
    }
  };
  walk((app as unknown as { router: { stack: StackLayer[] } }).router.stack, false);
  return [...new Map(out.map((r) => [`${r.method} ${r.path}`, r])).values()];
}

const PARAM_VALUES = (session: string) => [session, 'aaaaaaaaaaaa', '..%2F..%2Fetc', '%00', 'x'.repeat(3000), encodeURIComponent("' OR 1=1 --"), '%E0%A4%A', 'box', 'constructor', '__proto__'];

function fill(path: string, rng: Rng, session: string): string {
  return path.replace(/:(\w+)/g, (_, name: string) => {
    if (name === 'machine') return rng.pick(['box', 'nosuch', 'BOX', '..', 'x'.repeat(300)]);
    return rng.pick(PARAM_VALUES(session));
  });
}

const QUERIES = ['', '?path=/etc/hostname', '?path=../../etc/passwd', '?dir=/root&name=a.txt', '?x=' + 'y'.repeat(5000), '?path=%00', '?a[b][c][d]=1', '?__proto__[x]=1', '?step=-1&n=NaN'];

function body(rng: Rng): { body?: string | Buffer; type?: string } {
  switch (rng.int(10)) {
    case 0:
      return {};
    case 1:
      return { body: '{', type: 'application/json' };
    case 2:
      return { body: JSON.stringify(deep(3000)), type: 'application/json' };
    case 3:
      return { body: JSON.stringify({ name: 'x'.repeat(100_000) }), type: 'application/json' };
    case 4:
      return { body: Buffer.from(Array.from({ length: 4096 }, () => rng.int(256))), type: rng.pick(['application/octet-stream', 'application/json', 'text/plain']) };
    case 5:
      return { body: '{"__proto__":{"admin":true},"constructor":{"prototype":{"admin":true}}}', type: 'application/json' };
    case 6:
      return { body: JSON.stringify(rng.pick([null, 0, 'text', [], [1, 2], { labId: 123 }, { labId: 'shell-only', extra: true }, { name: ['a'] }, { code: {} }])), type: 'application/json' };
    case 7:
      return { body: 'name=x&labId=y', type: 'application/x-www-form-urlencoded' };
    case 8:
      return { body: JSON.stringify({ password: 'p'.repeat(5000), name: '<script>', code: '%00' }), type: 'application/json' };
    default:
      return { body: 'x'.repeat(rng.pick([10, 70 * 1024, 300 * 1024])), type: 'application/json' };
  }
}

async function hit(method: string, url: string, headers: Record<string, string>, payload: { body?: string | Buffer; type?: string }): Promise<{ status: number; text: string; type: string }> {
  const h: Record<string, string> = { ...headers };
  if (payload.type) h['content-type'] = payload.type;
  const sendsBody = payload.body !== undefined && method !== 'GET' && method !== 'HEAD';
  const res = await fetch(url, { method, headers: h, body: sendsBody ? (payload.body as unknown as BodyInit) : undefined, redirect: 'manual' });
  const text = method === 'HEAD' ? '' : await res.text();
  return { status: res.status, text, type: res.headers.get('content-type') ?? '' };
}

/** `hit` on this Berth; null, with the failure noted, when it did not answer at all. */
async function answer(method: string, path: string, headers: Record<string, string>, payload: { body?: string | Buffer; type?: string }, failures: string[]) {
  try {
    return await hit(method, berth.url + path, headers, payload);
  } catch (err) {
    failures.push(`${method} ${path.slice(0, 120)}: no answer (${(err as Error).message})`);
    return null;
  }
}

test('every REST route, fuzzed: no 5xx, /api answers in JSON, Berth keeps serving, memory bounded', async () => {
  const routes = routesOf(createApp(berth.server.ctx));
  // The routes Berth has today, at least: the enumeration must not silently find nothing.
  expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual(expect.arrayContaining(['POST /api/sessions', 'GET /api/sessions/:id', 'POST /api/sessions/:id/machines/:machine/files']));
  const rng = new Rng(SEED);
  const failures: string[] = [];
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  let requests = 0;
  for (const route of routes) {
    for (let i = 0; i < 14; i++) {
      const identity = rng.pick(['ada', 'none', 'forged', 'ada-evil-origin'] as const);
      const headers: Record<string, string> = {};
      if (identity === 'ada' || identity === 'ada-evil-origin') headers.cookie = ada.cookie;
      if (identity === 'forged') headers.cookie = `berth_student=${'A'.repeat(12)}.${'B'.repeat(43)}; berth_instructor=x.y`;
      if (identity === 'ada-evil-origin') headers.origin = 'http://evil.example';
      const method = rng.chance(0.85) ? route.method : rng.pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD']);
      const path = fill(route.path, rng, sessionId) + rng.pick(QUERIES);
      const payload = body(rng);
      const r = await answer(method, path, headers, payload, failures);
      if (!r) continue;
      requests++;
      const where = `${method} ${path.slice(0, 120)} [${identity}, ${payload.type ?? 'no body'}]`;
      const clientMissing = r.status === 503 && /client is not built/.test(r.text);
      if (r.status >= 500 && !clientMissing) failures.push(`${where}: ${r.status} ${r.text.slice(0, 200)}`);
      if (path.startsWith('/api/') && method !== 'HEAD' && r.status >= 400 && !/json/.test(r.type) && !clientMissing) failures.push(`${where}: ${r.status} answered as ${r.type || 'nothing'}`);
      if (/\/var\/lib\/docker|HTTP code \d|at [A-Za-z.]+ \(\/|node_modules/.test(r.text)) failures.push(`${where}: leaks internals: ${r.text.slice(0, 200)}`);
      if (requests % 25 === 0) rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }
  }
  if (process.env.BERTH_TEST_VERBOSE) console.log({ seed: SEED, routes: routes.length, requests, rssGrowthMiB: Math.round((rssPeak - rssBefore) / 1048576) });
  expect(failures).toEqual([]);
  expect(requests).toBeGreaterThan(routes.length * 10);
  expect(rssPeak - rssBefore).toBeLessThan(300 * 1024 * 1024);
  const health = await fetch(`${berth.url}/api/health`);
  expect(health.status).toBe(200);
});

test('without identity, no protected route answers 2xx', async () => {
  const open = new Set(['/api/health', '/api/join', '/api/setup', '/api/instructor/login', '/api/instructor/logout', '/api/instructor/logout-all', '/api/instructor/setup', '/metrics']);
  const routes = routesOf(createApp(berth.server.ctx)).filter((r) => !open.has(r.path) && (r.path.startsWith('/api/') || r.path === '/metrics'));
  const wrong: string[] = [];
  for (const route of routes) {
    const path = route.path.replace(/:machine/g, 'box').replace(/:(\w+)/g, sessionId);
    for (const cookie of [undefined, 'berth_student=forged.mac']) {
      const r = await hit(route.method, berth.url + path, cookie ? { cookie } : {}, { body: '{}', type: 'application/json' });
      if (r.status < 400) wrong.push(`${route.method} ${path} [${cookie ?? 'no cookie'}]: ${r.status}`);
      else if (r.status >= 500) wrong.push(`${route.method} ${path}: ${r.status}`);
    }
  }
  expect(wrong).toEqual([]);
});

/** A valid body for each instructor route (by its path's end), for near-misses. */
function instructorBody(path: string, rng: Rng, studentId: string): Record<string, unknown> {
  if (/\/classes(\/:id)?$/.test(path)) {
    return { name: 'Fuzz class', labs: ['shell-only'], seats: 5, startsAt: null, endsAt: null, allowRejoinByName: false, limits: { maxRunning: null, sessionMinutes: null, idleMinutes: null } };
  }
  if (path.endsWith('/code')) return rng.pick([{ action: 'rotate' }, { action: 'disable' }, { action: 'enable' }, { action: 'expire', expiresAt: Date.now() + 60_000 }]);
  if (path.endsWith('/one-time-codes')) return { count: 3 };
  if (path.endsWith('/actions')) {
    const action = rng.pick(['reset', 'extend', 'pause', 'resume', 'end', 'readmit', 'reveal_hint', 'mark_done']);
    return action === 'mark_done' ? { action, labId: 'shell-only', step: 0, reason: 'fuzz', studentIds: [studentId] } : { action, studentIds: [studentId] };
  }
  if (path.endsWith('/broadcast') || path.endsWith('/message')) return { text: 'Fuzz notice' };
  if (path.endsWith('/instructors')) return { name: 'Fuzz Teacher', login: `fuzz${rng.int(1e6)}@school.test`, password: 'fuzz-password-123', role: rng.pick(['owner', 'instructor']) };
  // Another account's login: the owner's own must not be locked out by the fuzz's wrong passwords.
  if (path.endsWith('/login')) return { login: 'nobody@school.test', password: 'wrong-password-123' };
  return {};
}

/** JSON of a fuzzed value; a near-miss may have swapped its prototype for one JSON cannot walk. */
function asJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch {
    return '{"__proto__":{"x":1}}';
  }
}

/** What an answer must never show: a stack, a host path, an engine's or a library's own words. */
const INTERNALS = /\/var\/lib\/docker|HTTP code \d|at [A-Za-z.<>]+ \(|node_modules|\/work\/|\/home\/|SQLITE_|TypeError|ReferenceError|Cannot read propert|is not a function|ZodError|"issues":\[/;

test('signed in as an instructor, every /api/instructor route fuzzed: no 5xx, nothing internal in a reply, Berth keeps serving', async () => {
  const owner = await setupInstructor(berth);
  let cookie = owner.cookie;
  const cls = await createClass(berth.url, cookie, { name: 'Fuzzed class', labs: ['shell-only'] });
  const cleo = await joinWithCode(berth.url, cls.joinCode.code as string, 'Cleo');
  const ownLogins = (await (await fetch(`${berth.url}/api/instructor/logins`, { headers: { cookie } })).json()) as { logins: Array<{ id: string }> };
  const loginIds = ownLogins.logins.map((l) => l.id);

  const routes = routesOf(createApp(berth.server.ctx)).filter((r) => r.path.startsWith('/api/instructor/'));
  expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual(expect.arrayContaining(['POST /api/instructor/classes', 'PATCH /api/instructor/classes/:id', 'POST /api/instructor/classes/:id/actions']));
  const rng = new Rng(SEED + 7);
  const failures: string[] = [];
  const statuses: Record<string, number> = {};
  let requests = 0;
  let signIns = 0;
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;

  const params = (name: string): string[] => {
    if (name === 'studentId') return [cleo.id, cleo.id, 'aaaaaaaaaaaa', '..%2F..', 'x'.repeat(3000), '%00', '__proto__'];
    if (name === 'loginId') return [...loginIds, 'aaaaaaaaaaaa', '%00', 'x'.repeat(3000)];
    return [cls.id as string, cls.id as string, cls.id as string, 'aaaaaaaaaaaa', '..%2F..%2Fetc', '%00', 'x'.repeat(3000), encodeURIComponent("' OR 1=1 --"), '%E0%A4%A', '__proto__'];
  };

  for (const route of routes) {
    for (let i = 0; i < 14; i++) {
      const method = rng.chance(0.9) ? route.method : rng.pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
      const path = route.path.replace(/:(\w+)/g, (_, name: string) => rng.pick(params(name))) + (rng.chance(0.3) ? rng.pick(QUERIES) : '');
      const payload = rng.chance(0.6) ? { body: asJson(nearMiss(rng, instructorBody(route.path, rng, cleo.id))), type: 'application/json' } : body(rng);
      const headers: Record<string, string> = { cookie };
      const r = await answer(method, path, headers, payload, failures);
      if (!r) continue;
      requests++;
      statuses[`${Math.floor(r.status / 100)}xx`] = (statuses[`${Math.floor(r.status / 100)}xx`] ?? 0) + 1;
      const where = `${method} ${path.slice(0, 120)} [${payload.type ?? 'no body'} ${String(payload.body ?? '').slice(0, 80)}]`;
      if (r.status >= 500) failures.push(`${where}: ${r.status} ${r.text.slice(0, 200)}`);
      if (method !== 'HEAD' && r.status >= 400 && !/json/.test(r.type)) failures.push(`${where}: ${r.status} answered as ${r.type || 'nothing'}`);
      if (INTERNALS.test(r.text)) failures.push(`${where}: leaks internals: ${r.text.slice(0, 300)}`);
      if (r.status === 401) {
        // The fuzz signed itself out (logout, logout-all, its own login revoked): sign in again and go on.
        cookie = await loginInstructor(berth.url, owner.login, owner.password);
        signIns++;
      }
      if (requests % 25 === 0) rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }
  }
  if (process.env.BERTH_TEST_VERBOSE) console.log({ seed: SEED + 7, routes: routes.length, requests, statuses, signIns, rssGrowthMiB: Math.round((rssPeak - rssBefore) / 1048576) });
  expect(failures).toEqual([]);
  expect(requests).toBeGreaterThan(routes.length * 12);
  // Signed in for real: most handlers answered, and some requests were accepted, not only refused.
  expect(statuses['2xx'] ?? 0).toBeGreaterThan(routes.length);
  expect(statuses['4xx'] ?? 0).toBeGreaterThan(routes.length);
  expect(rssPeak - rssBefore).toBeLessThan(300 * 1024 * 1024);
  expect((await fetch(`${berth.url}/api/health`)).status).toBe(200);
  const me = await fetch(`${berth.url}/api/instructor/me`, { headers: { cookie: `${await loginInstructor(berth.url, owner.login, owner.password)}` } });
  expect(me.status).toBe(200);
});
