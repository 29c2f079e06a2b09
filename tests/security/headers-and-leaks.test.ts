/**
 * Berth's pages may talk only to Berth; HTTPS, where present, is pinned; and
 * what the engine says when something breaks (container ids, host paths, the
 * Docker API) stays in the server log instead of reaching a browser.
 */
import type { BackendState } from '../../server/backend/lab-backend';
import { contentSecurityPolicy } from '../../server/http/security-headers';
import { ask, connect, docker, join, startBerth, startLab, type Berth, type ClientSocket, type Student } from '../contract/harness';

jest.setTimeout(120_000);

let berth: Berth;
let ada: Student;
let socket: ClientSocket | null = null;

beforeAll(async () => {
  berth = await startBerth('sec-headers', { BERTH_OPEN_JOIN: 'true' });
  ada = await join(berth.url, 'Ada');
});

afterAll(async () => {
  socket?.close();
  await berth?.dispose();
});

const directive = (csp: string, name: string) => csp.split(';').map((d) => d.trim()).find((d) => d.startsWith(`${name} `));

test("Berth's pages may connect to Berth only, and are cut off from the windows they open", async () => {
  const res = await fetch(`${berth.url}/api/health`);
  await res.text();
  const csp = res.headers.get('content-security-policy') ?? '';
  expect(directive(csp, 'connect-src')).toBe("connect-src 'self'");
  expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
  expect(res.headers.get('strict-transport-security')).toBeNull(); // plain http: no promise of HTTPS
});

test('HSTS is sent when Berth is reached over HTTPS through a reverse proxy on the same host', async () => {
  const res = await fetch(`${berth.url}/api/health`, { headers: { 'x-forwarded-proto': 'https' } });
  await res.text();
  expect(res.headers.get('strict-transport-security')).toMatch(/^max-age=\d{7,}/);
});

test('configured public origins (and their websocket twins) are the only other places allowed', () => {
  const csp = contentSecurityPolicy(['https://berth.school.example', 'http://10.0.0.5:8080']);
  expect(directive(csp, 'connect-src')).toBe("connect-src 'self' https://berth.school.example wss://berth.school.example http://10.0.0.5:8080 ws://10.0.0.5:8080");
  expect(csp).not.toMatch(/connect-src[^;]* (ws|wss):( |;|$)/);
});

test('when the engine fails under a student, the browser gets a sentence, not the engine error', async () => {
  const sessionId = await startLab(berth, ada, 'shell-only');
  const row = berth.server.ctx.sessions.get(sessionId)!;
  const state = row.backendState as BackendState & { machines: Array<{ containerId: string }> };
  const containerId = state.machines[0].containerId;
  // The machine vanishes behind Berth's back (an admin's `docker rm`, an engine restart).
  await docker.getContainer(containerId).remove({ force: true });
  // The main terminal may have been opened when the lab started (server/terminal/preopen.ts); its stream
  // does not end with the machine, so the attach must find out from the engine that its shell is gone.

  socket = await connect(berth.url, ada.cookie);
  const attach = await ask<{ ok: boolean; error?: string }>(socket, 'terminal:attach', { sessionId, machine: 'box', terminalId: 'box', from: 0, cols: 80, rows: 24 });
  expect(attach.ok).toBe(false);
  const leaks = (text: string) => {
    expect(text).not.toMatch(/HTTP code|no such container|docker|\/var\/|\/tmp\/|\/home\//i);
    expect(text).not.toContain(containerId.slice(0, 12));
  };
  leaks(attach.error ?? '');

  const check = await berth.server.ctx.progress.runCheck(sessionId, 0, 'test');
  expect(check?.status).toBe('failed');
  leaks(check?.feedback ?? '');

  const download = await fetch(`${berth.url}/api/sessions/${sessionId}/machines/box/files?path=/etc/hostname`, { headers: { cookie: ada.cookie } });
  expect(download.status).toBeGreaterThanOrEqual(400);
  leaks(await download.text());
});
