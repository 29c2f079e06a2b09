/**
 * Contract: every socket event with a valid payload against a real running
 * session, and a second student who cannot touch it over REST, socket.io or
 * the port proxy. One session (a plain machine) for the whole file.
 */
import http from 'node:http';
import type { CheckResultEvent, ProgressView, SessionStatusEvent } from '../../server/contracts/protocol';
import {
  api,
  ask,
  askMaybe,
  connect,
  join,
  scrollbackOf,
  sleep,
  startBerth,
  TermClient,
  waitFor,
  type Berth,
  type ClientSocket,
  type Student,
} from './harness';

let berth: Berth;
let ada: Student;
let bob: Student;
let sessionId: string;
let adaSocket: ClientSocket;
let bobSocket: ClientSocket;
let term: TermClient;
const checks: CheckResultEvent[] = [];
const progress: ProgressView[] = [];
const statuses: SessionStatusEvent[] = [];
const bobSaw: string[] = [];

beforeAll(async () => {
  berth = await startBerth('ct-events');
  ada = await join(berth.url, 'Ada');
  bob = await join(berth.url, 'Bob');
  adaSocket = await connect(berth.url, ada.cookie);
  bobSocket = await connect(berth.url, bob.cookie);
  adaSocket.on('check:result', (e) => checks.push(e));
  adaSocket.on('progress', (e) => progress.push(e.progress));
  adaSocket.on('session:status', (e) => statuses.push(e));
  bobSocket.onAny((event: string) => bobSaw.push(event));
}, 60_000);

afterAll(async () => {
  adaSocket?.close();
  bobSocket?.close();
  await berth?.dispose();
}, 60_000);

const valid = <T>(event: string, payload: unknown) => ask<T>(adaSocket, event, payload);

describe('a session, event by event', () => {
  test('POST /api/sessions starts the lab; the same lab again returns the same session', async () => {
    const r = await api(berth.url, 'POST', '/api/sessions', { cookie: ada.cookie, body: { labId: 'slow-check' } });
    expect(r.status).toBe(200);
    expect(['starting', 'running']).toContain(r.json.session.state);
    expect(r.json.session.machines).toEqual(['box']);
    sessionId = r.json.session.id;
    expect(sessionId).toMatch(/^[a-z0-9]{12}$/);
    expect(await valid('session:watch', { sessionId })).toEqual({ ok: true });
    await berth.server.ctx.sessions.settled(sessionId);
    expect(berth.server.ctx.sessions.get(sessionId)?.state).toBe('running');
    await waitFor('a running status event', () => statuses.some((s) => s.state === 'running'));
    const again = await api(berth.url, 'POST', '/api/sessions', { cookie: ada.cookie, body: { labId: 'slow-check' } });
    expect(again.json.session.id).toBe(sessionId);
  }, 60_000);

  test('a second lab is 409 with the active session id', async () => {
    const r = await api(berth.url, 'POST', '/api/sessions', { cookie: ada.cookie, body: { labId: 'shell-only' } });
    expect(r.status).toBe(409);
    expect(r.json.activeSessionId).toBe(sessionId);
    expect(r.json.error).toMatch(/already have a lab open/);
  });

  test('check:run of a check that loops forever is cut at its timeout, with feedback', async () => {
    expect(await valid('check:run', { sessionId, step: 0 })).toEqual({ ok: true });
    const row = berth.server.ctx.sessions.get(sessionId)!;
    const sleepers = async () =>
      (await berth.server.ctx.backend.exec(row.backendState as never, 'box', "ps -eo args | grep -c '^sleep 1000$'", { timeoutMs: 5000, outputCapBytes: 1024 })).stdout.trim();
    await waitFor('the check to be running', () => checks.some((c) => c.status === 'running'));
    await sleep(500);
    expect(await sleepers()).toBe('1');
    const result = await waitFor('the check result', () => checks.find((c) => c.status === 'failed'), 15_000);
    expect(checks[0]).toMatchObject({ sessionId, step: 0, status: 'running', trigger: 'button' });
    expect(result.feedback).toMatch(/longer than 2 s and was stopped/);
    expect(result.durationMs).toBeGreaterThanOrEqual(1900);
    expect(result.durationMs).toBeLessThan(8000);
    // The check's processes are gone from the machine, not just abandoned by the server.
    expect(await sleepers()).toBe('0');
  }, 30_000);

  test('terminal:attach creates the shell with the client size; terminal:resize changes it once running', async () => {
    term = new TermClient(adaSocket, sessionId, 'box');
    expect(await term.attach('box', 0, 100, 30)).toEqual({ ok: true, owner: true });
    await term.waitText(/[#$] $/);
    expect(await term.run('stty size')).toBe('30 100');
    adaSocket.emit('terminal:resize', { sessionId, terminalId: 'box', cols: 132, rows: 43 });
    await sleep(300);
    expect(await term.run('stty size')).toBe('43 132');
    expect(term.gaps).toEqual([]);
  }, 30_000);

  test('terminal:input reaches the shell as raw UTF-8, output comes back as bytes', async () => {
    expect(await term.run("printf '%s' 'héllo ✓ 🐳' | od -An -tx1 | tr -d ' \\n'")).toBe(Buffer.from('héllo ✓ 🐳').toString('hex'));
    expect(await term.run("printf 'h\\303\\251\\n'")).toBe('hé');
  });

  test('terminal:ack of more than was sent is clamped and harmless', async () => {
    adaSocket.emit('terminal:ack', { sessionId, terminalId: 'box', bytes: 1 << 29 });
    expect(await term.run('echo still-here')).toBe('still-here');
  });

  test('terminal:detach stops delivery; re-attaching with `from` gets exactly what was missed', async () => {
    const before = term.next;
    adaSocket.emit('terminal:detach', { sessionId, terminalId: 'box' });
    await sleep(100);
    // Input from a detached socket is dropped.
    term.type('echo typed-while-detached\r');
    await sleep(300);
    expect(term.next).toBe(before);
    const terminal = berth.server.ctx.terminals.get(sessionId, 'box')!;
    expect(scrollbackOf(terminal).toString()).not.toContain('typed-while-detached');
    expect(terminal.viewerCount()).toBe(0);
    expect(await term.attach('box', before, 132, 43)).toEqual({ ok: true, owner: true });
    expect(await term.run('echo back')).toBe('back');
    expect(term.bytes().equals(scrollbackOf(terminal))).toBe(true);
    expect(term.gaps).toEqual([]);
  }, 20_000);

  test('step:goto refuses a locked step and an unknown one', async () => {
    expect(await valid('step:goto', { sessionId, step: 1 })).toEqual({ ok: false, error: 'Finish the current step first.', code: 'conflict' });
    expect(await valid('step:goto', { sessionId, step: 9 })).toEqual({ ok: false, error: 'This lab has no step 10.', code: 'invalid' });
    expect(await valid('step:goto', { sessionId, step: 0 })).toEqual({ ok: true });
  });

  test('hint:reveal gives hints in order, then says there are no more; progress is pushed', async () => {
    const first = await valid<{ ok: boolean; html?: string }>('hint:reveal', { sessionId, step: 0 });
    expect(first.ok).toBe(true);
    expect(first.html).toContain('<strong>first</strong>');
    expect((await valid<{ html?: string }>('hint:reveal', { sessionId, step: 0 })).html).toContain('Second hint');
    expect(await valid('hint:reveal', { sessionId, step: 0 })).toEqual({ ok: false, error: 'There are no more hints for this step.' });
    await waitFor('a progress event with two hints', () => progress.find((p) => p.hintsRevealed[0] === 2));
  });

  test('solution:reveal shows the solution and records it', async () => {
    const r = await valid<{ ok: boolean; html?: string }>('solution:reveal', { sessionId, step: 0 });
    expect(r).toEqual({ ok: true, html: expect.stringContaining('no way out') });
    expect(await valid('solution:reveal', { sessionId, step: 1 })).toEqual({ ok: false, error: 'This step has no written solution.' });
    const view = await api(berth.url, 'GET', `/api/sessions/${sessionId}`, { cookie: ada.cookie });
    expect(view.json.session.progress.solutionsRevealed).toEqual([0]);
    expect(view.json.session.progress.hintsRevealed).toEqual({ 0: 2 });
  });

  test('quiz:answer grades, explains only when right, and refuses unknown quizzes and choices', async () => {
    const quizId = 'answer-a-question.quiz-1';
    expect(await valid('quiz:answer', { sessionId, step: 1, quizId, choices: [1] })).toEqual({ ok: true, correct: false });
    const right = await valid<Record<string, unknown>>('quiz:answer', { sessionId, step: 1, quizId, choices: [0] });
    expect(right).toMatchObject({ ok: true, correct: true, correctChoices: [0] });
    expect(right.explanationHtml).toContain('lists containers');
    expect(await valid('quiz:answer', { sessionId, step: 1, quizId: 'nope', choices: [0] })).toEqual({ ok: false, error: 'That question is not part of this step.' });
    expect(await valid('quiz:answer', { sessionId, step: 1, quizId, choices: [7] })).toEqual({ ok: false, error: 'That answer is not one of the choices.' });
  });

  test('check:run of a step without checks, or of no step, is refused with a reason', async () => {
    expect(await valid('check:run', { sessionId, step: 1 })).toEqual({ ok: false, error: 'This step has nothing to check.', code: 'invalid' });
    expect(await valid('check:run', { sessionId, step: 7 })).toEqual({ ok: false, error: 'This lab has no step 8.', code: 'invalid' });
  });
});

describe('another student cannot touch the session', () => {
  test('REST: Bob gets the same 404 as for a session that does not exist, and nothing changes', async () => {
    const missing = await api(berth.url, 'GET', '/api/sessions/aaaaaaaaaaaa', { cookie: bob.cookie });
    for (const [method, route] of [
      ['GET', `/api/sessions/${sessionId}`],
      ['POST', `/api/sessions/${sessionId}/stop`],
      ['POST', `/api/sessions/${sessionId}/reset`],
      ['POST', `/api/sessions/${sessionId}/extend`],
      ['POST', `/api/sessions/${sessionId}/resume`],
    ]) {
      const r = await api(berth.url, method, route, { cookie: bob.cookie, body: method === 'POST' ? {} : undefined });
      // Not 403: a stranger is not even told that the session exists.
      expect({ route, status: r.status, json: r.json }).toEqual({ route, status: 404, json: missing.json });
    }
    expect(berth.server.ctx.sessions.get(sessionId)?.state).toBe('running');
    expect(berth.server.ctx.sessions.get(sessionId)?.extensions).toBe(0);
  });

  test('socket: every event on Ada’s session is refused or ignored', async () => {
    const refused = { ok: false, error: 'That lab session does not exist.', code: 'not_found' };
    expect(await ask(bobSocket, 'session:watch', { sessionId })).toEqual(refused);
    expect(await ask(bobSocket, 'terminal:attach', { sessionId, machine: 'box', terminalId: 'box', from: 0, cols: 80, rows: 24 })).toEqual(refused);
    for (const event of ['check:run', 'step:goto', 'hint:reveal', 'solution:reveal']) expect(await ask(bobSocket, event, { sessionId, step: 0 })).toEqual(refused);
    expect(await ask(bobSocket, 'quiz:answer', { sessionId, step: 1, quizId: 'answer-a-question.quiz-1', choices: [1] })).toEqual(refused);
    expect(await askMaybe(bobSocket, 'terminal:close', { sessionId, terminalId: 'box' })).toEqual(refused);

    const terminal = berth.server.ctx.terminals.get(sessionId, 'box')!;
    bobSocket.emit('terminal:input', { sessionId, terminalId: 'box', data: 'echo BOB-WAS-HERE\r' });
    bobSocket.emit('terminal:resize', { sessionId, terminalId: 'box', cols: 20, rows: 5 });
    bobSocket.emit('terminal:ack', { sessionId, terminalId: 'box', bytes: 1 << 20 });
    bobSocket.emit('terminal:detach', { sessionId, terminalId: 'box' });
    await sleep(500);
    expect(scrollbackOf(terminal).toString()).not.toContain('BOB-WAS-HERE');
    expect(terminal.alive).toBe(true);
    expect(terminal.viewerCount()).toBe(1);
    expect(await term.run('stty size')).toBe('43 132');
    // Ada's progress is untouched by Bob's wrong quiz answer.
    const view = await api(berth.url, 'GET', `/api/sessions/${sessionId}`, { cookie: ada.cookie });
    expect(view.json.session.progress.quizAnswers['answer-a-question.quiz-1'].correct).toBe(true);
    // And Bob never received a single event about Ada's session.
    expect(bobSaw).toEqual([]);
  });

  test('port proxy: Bob gets 404 as in REST, Ada gets through to her machine (502: nothing listens there yet)', async () => {
    const route = `/s/${sessionId}/box/8080/`;
    const bobs = await api(berth.url, 'GET', route, { cookie: bob.cookie });
    expect(bobs.status).toBe(404);
    expect(bobs.json.text).toBe('That lab session does not exist.');
    expect((await api(berth.url, 'GET', route)).status).toBe(404);
    const adas = await api(berth.url, 'GET', route, { cookie: ada.cookie });
    expect(adas.status).toBe(502);
    expect(adas.json.text).toMatch(/Nothing answered on that port/);
    expect((await api(berth.url, 'GET', `/s/${sessionId}/nosuch/8080/`, { cookie: ada.cookie })).status).toBe(404);
  });

  test('port proxy: a WebSocket upgrade by Bob is refused with 404', async () => {
    const status = await new Promise<string>((resolve, reject) => {
      const req = http.request(`${berth.url}/s/${sessionId}/box/8080/ws`, {
        headers: { cookie: bob.cookie, connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' },
      });
      req.on('response', (res) => resolve(String(res.statusCode)));
      req.on('upgrade', () => resolve('upgraded'));
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe('404');
  });
});

describe('closing', () => {
  test('terminal:close ends the shell; the next attach is a fresh shell from byte 0', async () => {
    const old = berth.server.ctx.terminals.get(sessionId, 'box')!;
    await askMaybe(adaSocket, 'terminal:close', { sessionId, terminalId: 'box' });
    await waitFor('the terminal to be gone', () => berth.server.ctx.terminals.get(sessionId, 'box') === undefined);
    expect(old.alive).toBe(false);
    const fresh = new TermClient(adaSocket, sessionId, 'box:2');
    expect(await fresh.attach('box', 0)).toEqual({ ok: true, owner: true });
    expect(await fresh.run('echo fresh')).toBe('fresh');
    term = fresh;
  }, 20_000);

  test('extend, then stop over REST: watchers see the end and the terminal exits', async () => {
    const ext = await api(berth.url, 'POST', `/api/sessions/${sessionId}/extend`, { cookie: ada.cookie, body: {} });
    expect(ext.status).toBe(200);
    expect(ext.json.session.extensionsLeft).toBe(1);
    const stop = await api(berth.url, 'POST', `/api/sessions/${sessionId}/stop`, { cookie: ada.cookie, body: {} });
    expect(stop.status).toBe(200);
    expect(stop.json.session.state).toBe('ended');
    await waitFor('an ended status event', () => statuses.some((s) => s.state === 'ended'));
    await waitFor('terminal:exit', () => term.exits.length > 0);
    expect(await ask(adaSocket, 'terminal:attach', { sessionId, machine: 'box', terminalId: 'box', from: 0, cols: 80, rows: 24 })).toEqual({
      ok: false,
      error: 'Your lab machines are not running.',
      code: 'conflict',
    });
    // A new lab may start now.
    const next = await api(berth.url, 'POST', '/api/sessions', { cookie: ada.cookie, body: { labId: 'no-such' } });
    expect(next.status).toBe(404);
  }, 30_000);
});
