import crypto from 'node:crypto';
import { api, join, startBerth, startLab, waitState, type Berth, type Student } from './harness';

/** Files into and out of a student's machine through REST, and only the owner's machine. */
jest.setTimeout(120_000);

let berth: Berth;
let ada: Student;
let eve: Student;
let sessionId: string;

beforeAll(async () => {
  berth = await startBerth('ct-files');
  ada = await join(berth.url, 'Ada');
  eve = await join(berth.url, 'Eve');
  sessionId = await startLab(berth, ada, 'shell-only');
  await waitState(berth, sessionId, 'running');
});

afterAll(async () => {
  await berth?.dispose();
});

const filesUrl = (q: string) => `${berth.url}/api/sessions/${sessionId}/machines/box/files?${q}`;

test('an uploaded file lands in the machine and downloads back as a tar holding the same bytes', async () => {
  const content = Buffer.from('héllo from the browser\n'.repeat(100));
  const up = await fetch(filesUrl('dir=/root/up&name=notes.txt'), { method: 'POST', headers: { cookie: ada.cookie, 'content-type': 'application/octet-stream' }, body: content });
  expect(up.status).toBe(200);
  expect(await up.json()).toEqual({ ok: true, path: '/root/up/notes.txt', bytes: content.length });

  const row = berth.server.ctx.sessions.get(sessionId)!;
  const inside = await berth.server.ctx.backend.exec(row.backendState as never, 'box', 'sha256sum /root/up/notes.txt', { timeoutMs: 10_000, outputCapBytes: 4096 });
  expect(inside.stdout.split(' ')[0]).toBe(crypto.createHash('sha256').update(content).digest('hex'));

  const down = await fetch(filesUrl('path=/root/up/notes.txt'), { headers: { cookie: ada.cookie } });
  expect(down.status).toBe(200);
  expect(down.headers.get('content-disposition')).toBe('attachment; filename="notes.txt.tar"');
  const tar = Buffer.from(await down.arrayBuffer());
  // ustar: name in the first 100 bytes, size (octal) at 124, data from 512.
  expect(tar.subarray(0, 100).toString().replace(/\0.*$/s, '')).toBe('notes.txt');
  const size = parseInt(tar.subarray(124, 136).toString(), 8);
  expect(tar.subarray(512, 512 + size).equals(content)).toBe(true);
});

test('bad names, relative paths and missing files are refused with a reason', async () => {
  const bad = await fetch(filesUrl('dir=/root&name=../../etc/passwd'), { method: 'POST', headers: { cookie: ada.cookie }, body: 'x' });
  expect(bad.status).toBe(400);
  expect((await bad.json()).error).toMatch(/file name/);
  const relative = await fetch(filesUrl('dir=root&name=a.txt'), { method: 'POST', headers: { cookie: ada.cookie }, body: 'x' });
  expect(relative.status).toBe(400);
  expect((await relative.json()).error).toMatch(/absolute path/);
  const missing = await fetch(filesUrl('path=/root/nope.txt'), { headers: { cookie: ada.cookie } });
  expect(missing.status).toBe(404);
  expect((await missing.json()).error).toMatch(/no such file/);
});

test('another student can neither upload into nor download from the machine', async () => {
  const up = await fetch(filesUrl('dir=/root&name=evil.txt'), { method: 'POST', headers: { cookie: eve.cookie }, body: 'x' });
  expect(up.status).toBe(404);
  const down = await fetch(filesUrl('path=/etc/hostname'), { headers: { cookie: eve.cookie } });
  expect(down.status).toBe(404);
  const anon = await api(berth.url, 'GET', `/api/sessions/${sessionId}/machines/box/files?path=/etc/hostname`);
  expect(anon.status).toBe(404);
});
