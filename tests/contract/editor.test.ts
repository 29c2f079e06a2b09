import fs from 'node:fs';
import type { EditorFile, EditorListing } from '../../server/contracts/editor';
import { join, startBerth, startLab, waitState, type Berth, type Student } from './harness';

/** The editor's file API on a real machine: read, save with mode kept, conflicts, refusals. */
jest.setTimeout(120_000);

let berth: Berth;
let ada: Student;
let eve: Student;
let sessionId: string;

beforeAll(async () => {
  berth = await startBerth('ct-editor');
  ada = await join(berth.url, 'Ada');
  eve = await join(berth.url, 'Eve');
  sessionId = await startLab(berth, ada, 'shell-only');
  await waitState(berth, sessionId, 'running');
});

afterAll(async () => {
  await berth?.dispose();
});

const fsUrl = (what: string, q = '') => `${berth.url}/api/sessions/${sessionId}/machines/box/fs/${what}${q ? `?${q}` : ''}`;

async function sh(script: string): Promise<string> {
  const row = berth.server.ctx.sessions.get(sessionId)!;
  const out = await berth.server.ctx.backend.exec(row.backendState as never, 'box', script, { timeoutMs: 10_000, outputCapBytes: 64 * 1024 });
  return out.stdout;
}

async function call<T>(method: string, url: string, cookie: string, body?: unknown): Promise<{ status: number; json: T }> {
  const res = await fetch(url, { method, headers: { cookie, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  return { status: res.status, json: (await res.json()) as T };
}

test('a file is listed, opened, saved with its mode and owner kept, and the terminal sees the change', async () => {
  await sh("mkdir -p /root/app && printf 'FROM alpine\\n' > /root/app/Dockerfile && chmod 0750 /root/app/Dockerfile && chown 1000:1000 /root/app/Dockerfile");
  const list = await call<EditorListing>('GET', fsUrl('list', 'path=/root/app'), ada.cookie);
  expect(list.status).toBe(200);
  expect(list.json.entries.map((e) => [e.name, e.kind])).toEqual([['Dockerfile', 'file']]);

  const opened = await call<EditorFile>('GET', fsUrl('file', 'path=/root/app/Dockerfile'), ada.cookie);
  expect(opened.status).toBe(200);
  expect(opened.json.content).toBe('FROM alpine\n');
  expect(opened.json.mode).toBe(0o750);

  const saved = await call<EditorFile>('PUT', fsUrl('file', 'path=/root/app/Dockerfile'), ada.cookie, {
    content: 'FROM alpine\nRUN echo héllo\n',
    expectedHash: opened.json.hash,
  });
  expect(saved.status).toBe(200);
  expect(await sh('cat /root/app/Dockerfile')).toBe('FROM alpine\nRUN echo héllo\n');
  expect((await sh('stat -c "%a %u:%g" /root/app/Dockerfile')).trim()).toBe('750 1000:1000');
});

test('a file changed in the machine since it was opened is a conflict carrying the machine version; force overwrites', async () => {
  await sh("printf 'one\\n' > /root/notes.txt");
  const opened = await call<EditorFile>('GET', fsUrl('file', 'path=/root/notes.txt'), ada.cookie);
  await sh("printf 'changed in the terminal\\n' > /root/notes.txt");
  const clash = await call<{ code: string; current: EditorFile }>('PUT', fsUrl('file', 'path=/root/notes.txt'), ada.cookie, { content: 'mine\n', expectedHash: opened.json.hash });
  expect(clash.status).toBe(409);
  expect(clash.json.code).toBe('conflict');
  expect(clash.json.current.content).toBe('changed in the terminal\n');
  expect(await sh('cat /root/notes.txt')).toBe('changed in the terminal\n');

  const forced = await call<EditorFile>('PUT', fsUrl('file', 'path=/root/notes.txt'), ada.cookie, { content: 'mine\n', expectedHash: opened.json.hash, force: true });
  expect(forced.status).toBe(200);
  expect(await sh('cat /root/notes.txt')).toBe('mine\n');

  // A new file: expectedHash null; saving it again as "new" is a conflict, not a silent overwrite.
  const created = await call<EditorFile>('PUT', fsUrl('file', 'path=/root/new/compose.yaml'), ada.cookie, { content: 'services: {}\n', expectedHash: null });
  expect(created.status).toBe(200);
  expect(await sh('cat /root/new/compose.yaml')).toBe('services: {}\n');
  const again = await call('PUT', fsUrl('file', 'path=/root/new/compose.yaml'), ada.cookie, { content: 'x\n', expectedHash: null });
  expect(again.status).toBe(409);
});

test('binary and oversized files are refused with a message; .. and relative paths are refused', async () => {
  await sh('head -c 64 /dev/urandom > /root/blob.bin; printf "\\0" >> /root/blob.bin; head -c 2000000 /dev/zero | tr "\\0" a > /root/big.txt');
  const binary = await call<{ code: string; error: string }>('GET', fsUrl('file', 'path=/root/blob.bin'), ada.cookie);
  expect(binary.status).toBe(415);
  expect(binary.json.error).toMatch(/not a text file/);
  const big = await call<{ code: string; error: string }>('GET', fsUrl('file', 'path=/root/big.txt'), ada.cookie);
  expect(big.status).toBe(413);
  expect(big.json.error).toMatch(/larger than the 1 MiB/);
  for (const bad of ['/root/../etc/passwd', 'root/notes.txt', '/root/a\nb']) {
    const r = await call<{ code: string }>('GET', fsUrl('file', `path=${encodeURIComponent(bad)}`), ada.cookie);
    expect([bad, r.status, r.json.code]).toEqual([bad, 400, 'invalid']);
  }
  const folder = await call<{ error: string }>('GET', fsUrl('file', 'path=/root/new'), ada.cookie);
  expect(folder.status).toBe(400);
  expect(folder.json.error).toMatch(/is a folder/);
});

test('folders and files are created, renamed and deleted; clashes and missing paths say so', async () => {
  expect((await call('POST', fsUrl('ops'), ada.cookie, { op: 'mkdir', path: '/root/site' })).status).toBe(200);
  expect((await call('POST', fsUrl('ops'), ada.cookie, { op: 'mkdir', path: '/root/site' })).status).toBe(409);
  await sh("printf 'x' > /root/site/a.txt");
  expect((await call('POST', fsUrl('ops'), ada.cookie, { op: 'rename', path: '/root/site/a.txt', to: '/root/site/b.txt' })).status).toBe(200);
  expect(await sh('ls /root/site')).toBe('b.txt\n');
  expect((await call('POST', fsUrl('ops'), ada.cookie, { op: 'delete', path: '/root/site' })).status).toBe(200);
  expect(await sh('ls /root/site 2>/dev/null || echo gone')).toBe('gone\n');
  expect((await call('POST', fsUrl('ops'), ada.cookie, { op: 'delete', path: '/root/site' })).status).toBe(404);
  expect((await call('POST', fsUrl('ops'), ada.cookie, { op: 'delete', path: '/' })).status).toBe(400);
  expect((await call('POST', fsUrl('ops'), ada.cookie, { op: 'chmod', path: '/root' })).status).toBe(400);
});

test('saving through a link writes the file it points to and keeps the link, its mode and owner', async () => {
  await sh(
    "mkdir -p /root/conf && printf 'listen 80;\\n' > /root/conf/site.conf && chmod 0640 /root/conf/site.conf && chown 1000:1000 /root/conf/site.conf" +
      ' && ln -s conf/site.conf /root/site.conf && ln -s /root/site.conf /root/chain.conf && ln -s /root/conf/later.conf /root/dangling.conf',
  );
  const opened = await call<EditorFile>('GET', fsUrl('file', 'path=/root/chain.conf'), ada.cookie);
  expect([opened.status, opened.json.content, opened.json.mode]).toEqual([200, 'listen 80;\n', 0o640]);
  const saved = await call<EditorFile>('PUT', fsUrl('file', 'path=/root/chain.conf'), ada.cookie, { content: 'listen 8080;\n', expectedHash: opened.json.hash });
  expect(saved.status).toBe(200);
  expect(await sh('readlink /root/chain.conf; readlink /root/site.conf; cat /root/conf/site.conf; stat -c "%a %u:%g" /root/conf/site.conf')).toBe(
    '/root/site.conf\nconf/site.conf\nlisten 8080;\n640 1000:1000\n',
  );

  // A link to a file not made yet: the new file is made where it points.
  const created = await call<EditorFile>('PUT', fsUrl('file', 'path=/root/dangling.conf'), ada.cookie, { content: 'new\n', expectedHash: null });
  expect(created.status).toBe(200);
  expect(await sh('readlink /root/dangling.conf; cat /root/conf/later.conf')).toBe('/root/conf/later.conf\nnew\n');
});

test("links cannot lead the editor out of the machine's files: climbing stays at its root, the kernel's views are refused", async () => {
  const name = `berth-editor-escape-${process.pid}-${Date.now()}`;
  await sh(`printf 'machine side\\n' > /tmp/${name} && ln -s ../../../../../../../tmp/${name} /root/climb && ln -s /../../../tmp/${name}.new /root/climb-new && ln -s /proc/self/environ /root/env && ln -s /sys/kernel /root/kernel`);
  const read = await call<EditorFile>('GET', fsUrl('file', 'path=/root/climb'), ada.cookie);
  expect([read.status, read.json.content]).toEqual([200, 'machine side\n']);
  expect((await call('PUT', fsUrl('file', 'path=/root/climb'), ada.cookie, { content: 'written\n', expectedHash: read.json.hash })).status).toBe(200);
  expect((await call('PUT', fsUrl('file', 'path=/root/climb-new'), ada.cookie, { content: 'new\n', expectedHash: null })).status).toBe(200);
  expect(await sh(`cat /tmp/${name} /tmp/${name}.new; readlink /root/climb`)).toBe(`written\nnew\n../../../../../../../tmp/${name}\n`);
  // The machine's /tmp, not the host's that Berth runs on.
  expect(fs.existsSync(`/tmp/${name}`) || fs.existsSync(`/tmp/${name}.new`)).toBe(false);

  const env = await call<{ code: string; error: string }>('GET', fsUrl('file', 'path=/root/env'), ada.cookie);
  expect([env.status, env.json.code]).toEqual([400, 'invalid']);
  expect(env.json.error).toMatch(/\/proc\/self\/environ is in \/proc.*\/root\/env links there/);
  // Through a linked folder too: saving, listing, and making or moving things into it.
  const viaDir = await call<{ code: string }>('PUT', fsUrl('file', 'path=/root/kernel/x'), ada.cookie, { content: 'x', expectedHash: null, force: true });
  expect(viaDir.status).toBe(400);
  const listed = await call<{ code: string; error: string }>('GET', fsUrl('list', 'path=/root/kernel'), ada.cookie);
  expect([listed.status, listed.json.error]).toEqual([400, expect.stringMatching(/^\/root\/kernel leads into \/proc, \/sys or \/dev through a link/)]);
  expect((await call('POST', fsUrl('ops'), ada.cookie, { op: 'mkdir', path: '/root/kernel/made' })).status).toBe(400);
  expect((await call('POST', fsUrl('ops'), ada.cookie, { op: 'rename', path: '/root/climb-new', to: '/root/kernel/moved' })).status).toBe(400);
  expect(await sh('ls /sys/kernel/made /sys/kernel/moved 2>&1 >/dev/null | wc -l; ls /root/climb-new')).toBe('2\n/root/climb-new\n');
  for (const [method, url, body] of [
    ['GET', fsUrl('file', 'path=/proc/self/environ')],
    ['PUT', fsUrl('file', 'path=/sys/kernel/x'), { content: 'x', expectedHash: null, force: true }],
    ['GET', fsUrl('list', 'path=/proc')],
    ['POST', fsUrl('ops'), { op: 'mkdir', path: '/dev/x' }],
    ['POST', fsUrl('ops'), { op: 'rename', path: '/root/notes.txt', to: '/sys/notes.txt' }],
  ] as const) {
    const r = await call<{ code: string }>(method, url, ada.cookie, body);
    expect([method, url, r.status, r.json.code]).toEqual([method, url, 400, 'invalid']);
  }
});

test('only the session owner reads or writes; strangers are refused before the body is read', async () => {
  expect((await call('GET', fsUrl('file', 'path=/root/notes.txt'), eve.cookie)).status).toBe(404);
  expect((await call('PUT', fsUrl('file', 'path=/root/notes.txt'), eve.cookie, { content: 'evil', expectedHash: null, force: true })).status).toBe(404);
  expect((await call('PUT', fsUrl('file', 'path=/root/eve.txt'), eve.cookie, { content: 'evil', expectedHash: null })).status).toBe(404);
  expect((await call('GET', fsUrl('list', 'path=/root'), eve.cookie)).status).toBe(404);
  for (const op of [{ op: 'mkdir', path: '/root/eve' }, { op: 'rename', path: '/root/notes.txt', to: '/root/eve.txt' }, { op: 'delete', path: '/root/notes.txt' }]) {
    expect([op.op, (await call('POST', fsUrl('ops'), eve.cookie, op)).status]).toEqual([op.op, 404]);
  }
  expect((await call('GET', fsUrl('list', 'path=/root'), '')).status).toBe(401);
  expect(await sh('cat /root/notes.txt; ls /root/eve /root/eve.txt 2>&1 >/dev/null | wc -l')).toBe('mine\n2\n');
});
