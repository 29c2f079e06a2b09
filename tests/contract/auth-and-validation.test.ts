/**
 * Contract: who may talk to Berth, and what Berth does with payloads it must
 * refuse. No lab machines are started here: every refusal happens before the
 * domain, so the server is exercised at the edge only.
 */
import { api, ask, askMaybe, connect, join, socketFor, startBerth, waitFor, type Berth, type ClientSocket, type Student } from './harness';

// Dozens of socket round trips per test: room for a busy CI machine (nothing here is timed).
jest.setTimeout(30_000);

let berth: Berth;
let ada: Student;
let bob: Student;
const open: ClientSocket[] = [];

beforeAll(async () => {
  berth = await startBerth('ct-auth');
  ada = await join(berth.url, 'Ada');
  bob = await join(berth.url, 'Bob');
}, 60_000);

afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

afterAll(async () => {
  await berth?.dispose();
}, 60_000);

async function connected(student: Student = ada): Promise<ClientSocket> {
  const s = await connect(berth.url, student.cookie);
  open.push(s);
  return s;
}

async function serverStillAnswers(): Promise<void> {
  const health = await api(berth.url, 'GET', '/api/health');
  expect(health.status).toBe(200);
  const s = await connected();
  expect(await ask(s, 'session:watch', { sessionId: 'aaaaaaaaaaaa' })).toEqual({ ok: false, error: 'That lab session does not exist.', code: 'not_found' });
}

describe('handshake authentication', () => {
  test('a joined student connects with the cookie from /api/join', async () => {
    const s = await connected();
    expect(s.connected).toBe(true);
  });

  test('no cookie → connect_error', async () => {
    await expect(connect(berth.url, undefined)).rejects.toThrow('not joined');
  });

  test('a forged cookie is refused', async () => {
    await expect(connect(berth.url, 'berth_student=someone.bm90LWEtcmVhbC1zaWduYXR1cmU')).rejects.toThrow('not joined');
    await expect(connect(berth.url, 'berth_student=garbage')).rejects.toThrow('not joined');
    await expect(connect(berth.url, 'berth_student=%E0%A4%A')).rejects.toThrow('not joined');
  });

  test("one student's signature does not make another student's id valid", async () => {
    const adaMac = ada.cookie.slice(ada.cookie.lastIndexOf('.') + 1);
    const swapped = `berth_student=${bob.id}.${adaMac}`;
    await expect(connect(berth.url, swapped)).rejects.toThrow('not joined');
    expect((await api(berth.url, 'GET', '/api/me', { cookie: swapped })).status).toBe(401);
  });

  test('a wrong Origin is refused at the handshake, even with a valid cookie', async () => {
    await expect(connect(berth.url, ada.cookie, { origin: 'http://evil.example' })).rejects.toThrow();
    await expect(connect(berth.url, ada.cookie, { origin: 'null' })).rejects.toThrow();
    // The page Berth served itself is fine.
    const s = await connect(berth.url, ada.cookie, { origin: berth.url });
    open.push(s);
    expect(s.connected).toBe(true);
  });

  test('the cookie is HttpOnly and SameSite', async () => {
    const r = await api(berth.url, 'POST', '/api/join', { body: { name: 'Cleo' } });
    expect(r.setCookie).toMatch(/HttpOnly/i);
    expect(r.setCookie).toMatch(/SameSite=Lax/i);
  });
});

describe('REST errors', () => {
  test('join validates the name', async () => {
    for (const name of ['', '   ', 'x'.repeat(61), '<script>', 'a\u0000b', 42, null]) {
      const r = await api(berth.url, 'POST', '/api/join', { body: { name } });
      expect(r.status).toBe(400);
      expect(r.json.error).toMatch(/name/);
    }
  });

  test('without a cookie the API answers 401', async () => {
    for (const [method, route] of [
      ['GET', '/api/me'],
      ['GET', '/api/labs'],
      ['POST', '/api/sessions'],
      ['GET', '/api/sessions/aaaaaaaaaaaa'],
      ['POST', '/api/sessions/aaaaaaaaaaaa/stop'],
    ]) {
      const r = await api(berth.url, method, route, { body: method === 'POST' ? {} : undefined });
      expect({ route, status: r.status }).toEqual({ route, status: 401 });
    }
  });

  test('the catalog lists the fixture labs', async () => {
    const r = await api(berth.url, 'GET', '/api/labs', { cookie: ada.cookie });
    expect(r.status).toBe(200);
    expect(r.json.labs.map((l: { id: string }) => l.id)).toEqual(expect.arrayContaining(['hello', 'shell-only', 'slow-check', 'pair']));
  });

  test('an unknown lab is 404, and so is a missing or non-text lab id', async () => {
    for (const body of [{ labId: 'no-such-lab' }, {}, { labId: 7 }, { labId: '../hello' }]) {
      const r = await api(berth.url, 'POST', '/api/sessions', { cookie: ada.cookie, body });
      expect(r.status).toBe(404);
      expect(r.json.error).toMatch(/no lab called/);
    }
  });

  test('an unknown session and an unknown action are 404', async () => {
    expect((await api(berth.url, 'GET', '/api/sessions/aaaaaaaaaaaa', { cookie: ada.cookie })).status).toBe(404);
    expect((await api(berth.url, 'GET', '/api/sessions/..%2F..%2Fetc', { cookie: ada.cookie })).status).toBe(404);
    expect((await api(berth.url, 'POST', '/api/sessions/aaaaaaaaaaaa/explode', { cookie: ada.cookie, body: {} })).status).toBe(404);
    expect((await api(berth.url, 'GET', '/api/nothing-here', { cookie: ada.cookie })).status).toBe(404);
  });

  test('a state-changing request from another site is 403', async () => {
    const r = await api(berth.url, 'POST', '/api/sessions', { cookie: ada.cookie, body: { labId: 'hello' }, headers: { origin: 'http://evil.example' } });
    expect(r.status).toBe(403);
    expect(berth.server.ctx.store.studentSessions(ada.id)).toHaveLength(0);
  });

  test('unreadable and oversized bodies are 4xx, not 500', async () => {
    const bad = await api(berth.url, 'POST', '/api/sessions', { cookie: ada.cookie, rawBody: '{"labId": ' });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toBe('That request could not be read.');
    const huge = await api(berth.url, 'POST', '/api/sessions', { cookie: ada.cookie, body: { labId: 'x'.repeat(100 * 1024) } });
    expect(huge.status).toBe(413);
  });

  test('the port proxy refuses strangers and odd paths', async () => {
    expect((await api(berth.url, 'GET', '/s/aaaaaaaaaaaa/docker/8080/')).status).toBe(404);
    expect((await api(berth.url, 'GET', '/s/aaaaaaaaaaaa/docker/8080/', { cookie: ada.cookie })).status).toBe(404);
    expect((await api(berth.url, 'GET', '/s/aaaaaaaaaaaa/docker/99999/', { cookie: ada.cookie })).status).toBe(404);
    expect((await api(berth.url, 'GET', '/s/aaaaaaaaaaaa/Docker/8080/', { cookie: ada.cookie })).status).toBe(404);
    expect((await api(berth.url, 'GET', '/s/aaaaaaaaaaaa%2F..%2F/docker/80/', { cookie: ada.cookie })).status).toBe(404);
  });
});

/* ---- socket events: every one, valid shape and malformed ---- */

const SID = 'aaaaaaaaaaaa';
const TID = 'docker';

/** A payload of the right shape for each event (aimed at a session that does not exist). */
const valid: Record<string, Record<string, unknown>> = {
  'session:watch': { sessionId: SID },
  'terminal:attach': { sessionId: SID, machine: 'docker', terminalId: TID, from: 0, cols: 80, rows: 24 },
  'terminal:input': { sessionId: SID, terminalId: TID, data: 'ls\r' },
  'terminal:resize': { sessionId: SID, terminalId: TID, cols: 80, rows: 24 },
  'terminal:ack': { sessionId: SID, terminalId: TID, bytes: 100 },
  'terminal:detach': { sessionId: SID, terminalId: TID },
  'terminal:close': { sessionId: SID, terminalId: TID },
  'check:run': { sessionId: SID, step: 0 },
  'step:goto': { sessionId: SID, step: 0 },
  'hint:reveal': { sessionId: SID, step: 0 },
  'solution:reveal': { sessionId: SID, step: 0 },
  'quiz:answer': { sessionId: SID, step: 0, quizId: 'q', choices: [0] },
};

const badIds = {
  sessionId: ['', 'short', 'AAAAAAAAAAAA', 'aaaaaaaaaaa/', '../../../etc', 'a'.repeat(13), 123456789012, null],
  terminalId: ['', 'Docker', '1docker', 'a b', 'a'.repeat(40), 'docker:123', 'docker;rm', 7],
  machine: ['', 'Docker', '-x', 'a'.repeat(40), 'x/../y', ['docker']],
};

const badFields: Record<string, unknown[]> = {
  from: [-1, 1.5, '0', Number.MAX_SAFE_INTEGER + 2, null],
  cols: [0, 9, 501, 80.5, '80', Infinity],
  rows: [0, 3, 201, 24.5, '24'],
  data: ['', 42, { text: 'x' }, 'x'.repeat(4 * 1024 * 1024 + 1)],
  bytes: [0, -5, 1.5, 2 ** 31, '100'],
  step: [-1, 1001, 0.5, '0', null],
  quizId: ['', 'q'.repeat(101), 5],
  choices: ['0', [-1], [51], [0.5], Array.from({ length: 51 }, () => 0), null],
};

function malformed(event: string): Array<[string, unknown]> {
  const base = valid[event];
  const cases: Array<[string, unknown]> = [
    ['nothing', undefined],
    ['null', null],
    ['a string', 'hello'],
    ['a number', 42],
    ['an array', [base]],
    ['an empty object', {}],
    ['an extra key', { ...base, extra: true }],
    ['a prototype-pollution key', JSON.parse(`{"__proto__": {"polluted": true}, ${JSON.stringify(base).slice(1)}`)],
  ];
  for (const [field, values] of Object.entries({ ...badIds, ...badFields })) {
    if (!(field in base)) continue;
    for (const value of values) cases.push([`${field}=${JSON.stringify(value)?.slice(0, 30)}`, { ...base, [field]: value }]);
  }
  for (const field of Object.keys(base)) {
    const { [field]: _dropped, ...rest } = base;
    cases.push([`missing ${field}`, rest]);
  }
  return cases;
}

describe('every client→server event', () => {
  test.each(Object.keys(valid))('%s: malformed payloads get {ok:false, error} and change nothing', async (event) => {
    let s = await connected();
    let sent = 0;
    for (const [why, payload] of malformed(event)) {
      // A fresh socket every 40 cases stays below the disconnect threshold, so every case gets its reply.
      if (++sent % 40 === 0) s = await connected();
      const reply = await ask<{ ok: boolean; error?: string }>(s, event, payload);
      expect({ why, reply }).toEqual({ why, reply: { ok: false, error: expect.stringMatching(new RegExp(`^invalid ${event}: `)), code: 'invalid' } });
    }
    expect(s.connected).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    await serverStillAnswers();
  });

  test.each(Object.keys(valid))('%s: a valid payload for a session that is not yours is refused', async (event) => {
    const s = await connected();
    const reply = await askMaybe<{ ok: boolean; error?: string }>(s, event, valid[event]);
    if (['terminal:input', 'terminal:resize', 'terminal:ack', 'terminal:detach'].includes(event)) {
      // Fire-and-forget events have no reply; input to a terminal this socket never attached is dropped.
      expect(reply).toBeNull();
    } else {
      expect(reply).toEqual({ ok: false, error: 'That lab session does not exist.', code: 'not_found' });
    }
    expect(s.connected).toBe(true);
  });

  test('an event without a reply callback is validated too and does not crash anything', async () => {
    const s = await connected();
    s.emit('check:run' as 'terminal:ack', 'not an object' as never);
    s.emit('terminal:input', { sessionId: SID } as never);
    (s.emit as unknown as (ev: string) => void)('quiz:answer');
    (s.emit as unknown as (ev: string, ...args: unknown[]) => void)('no:such:event', { a: 1 }, () => undefined);
    await serverStillAnswers();
    expect(s.connected).toBe(true);
  });

  test('a client that keeps sending garbage is disconnected; others are unaffected', async () => {
    const bystander = await connected(bob);
    const s = await connected();
    const reasons: string[] = [];
    s.on('disconnect', (reason) => reasons.push(reason));
    for (let i = 0; i < 60; i++) s.emit('terminal:resize', { nonsense: i } as never);
    await waitFor('the noisy socket to be dropped', () => reasons.length > 0);
    expect(reasons[0]).toBe('io server disconnect');
    expect(bystander.connected).toBe(true);
    await serverStillAnswers();
  });

  test('a message over the size limit closes only that connection', async () => {
    const bystander = await connected(bob);
    const s = socketFor(berth.url, ada.cookie);
    open.push(s);
    await new Promise<void>((r) => s.once('connect', () => r()));
    const reasons: string[] = [];
    s.on('disconnect', (reason) => reasons.push(reason));
    s.emit('terminal:input', { sessionId: SID, terminalId: TID, data: 'y'.repeat(6 * 1024 * 1024) });
    await waitFor('the oversized socket to be closed', () => reasons.length > 0, 20_000);
    expect(reasons[0]).toMatch(/transport (close|error)/);
    expect(bystander.connected).toBe(true);
    await serverStillAnswers();
  });
});
