/**
 * Uploads and downloads cannot be used to exhaust Berth: identity comes
 * before the body, the body streams into the machine instead of sitting in
 * memory, sizes are capped, and transfers at once are bounded per student and
 * in total.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import { join, startBerth, startLab, type Berth, type Student } from '../contract/harness';

jest.setTimeout(180_000);

let berth: Berth;
let ada: Student;
let bob: Student;
let cy: Student;
let eve: Student;
const sessions: Record<string, string> = {};

beforeAll(async () => {
  berth = await startBerth('sec-files', {
    BERTH_OPEN_JOIN: 'true',
    BERTH_MAX_UPLOAD: '48m',
    BERTH_MAX_DOWNLOAD: '1m',
    BERTH_TRANSFERS_PER_STUDENT: '1',
    BERTH_TRANSFERS_TOTAL: '2',
  });
  [ada, bob, cy, eve] = await Promise.all(['Ada', 'Bob', 'Cy', 'Eve'].map((n) => join(berth.url, n)));
  for (const s of [ada, bob, cy]) sessions[s.name] = await startLab(berth, s, 'shell-only');
});

afterAll(async () => {
  await berth?.dispose();
});

const route = (owner: string, q: string) => `/api/sessions/${sessions[owner]}/machines/box/files?${q}`;

interface Pending {
  req: http.ClientRequest;
  response: Promise<{ status: number; body: string }>;
}

/** Starts a POST whose headers promise `size` bytes; the caller writes (or withholds) the body. */
function openUpload(pathAndQuery: string, cookie: string | undefined, size: number): Pending {
  const { port } = new URL(berth.url);
  const req = http.request({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: pathAndQuery,
    headers: { 'content-length': String(size), 'content-type': 'application/octet-stream', ...(cookie ? { cookie } : {}) },
  });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
  req.flushHeaders();
  return { req, response };
}

test('a stranger or another student is refused before the body is read', async () => {
  // Ten megabytes are promised and none sent: only a server that decides on headers alone can answer.
  const anon = openUpload(route('Ada', 'dir=/root&name=x.bin'), undefined, 10 * 1024 * 1024);
  expect((await anon.response).status).toBe(404);
  anon.req.destroy();
  const other = openUpload(route('Ada', 'dir=/root&name=x.bin'), eve.cookie, 10 * 1024 * 1024);
  const reply = await other.response;
  expect(reply.status).toBe(404);
  expect(JSON.parse(reply.body).error).toMatch(/does not exist/);
  other.req.destroy();
});

test('a file over the cap is refused from its declared size, without reading it', async () => {
  const big = openUpload(route('Ada', 'dir=/root&name=big.bin'), ada.cookie, 49 * 1024 * 1024);
  const reply = await big.response;
  expect(reply.status).toBe(413);
  expect(JSON.parse(reply.body).error).toMatch(/48 MB/);
  big.req.destroy();
});

test('an upload without a declared size is refused with the reason', async () => {
  const res = await fetch(berth.url + route('Ada', 'dir=/root&name=chunked.bin'), {
    method: 'POST',
    headers: { cookie: ada.cookie },
    body: new ReadableStream({
      start(c) {
        c.enqueue(new Uint8Array(10));
        c.close();
      },
    }),
    duplex: 'half',
  } as RequestInit);
  expect(res.status).toBe(411);
  expect((await res.json()).error).toMatch(/Content-Length/);
});

test('a 40 MB upload streams into the machine: Berth never holds it whole', async () => {
  const size = 40 * 1024 * 1024;
  const hash = crypto.createHash('sha256');
  const up = openUpload(route('Ada', 'dir=/root/in&name=big.bin'), ada.cookie, size);
  const base = process.memoryUsage().rss;
  let peak = base;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  // One random megabyte sent forty times, so the test's own memory stays flat too.
  const block = crypto.randomBytes(1024 * 1024);
  let sent = 0;
  await new Promise<void>((resolve, reject) => {
    const pump = () => {
      while (sent < size) {
        hash.update(block);
        sent += block.length;
        const part = block;
        if (!up.req.write(part)) return void up.req.once('drain', pump);
      }
      up.req.end(resolve);
    };
    up.req.on('error', reject);
    pump();
  });
  const reply = await up.response;
  clearInterval(sampler);
  expect(reply.status).toBe(200);
  expect(JSON.parse(reply.body)).toEqual({ ok: true, path: '/root/in/big.bin', bytes: size });
  // Buffering the body (as express.raw did) costs at least its 40 MB; streaming costs a few buffers.
  expect(peak - base).toBeLessThan(24 * 1024 * 1024);
  const row = berth.server.ctx.sessions.get(sessions.Ada)!;
  const inside = await berth.server.ctx.backend.exec(row.backendState as never, 'box', 'sha256sum /root/in/big.bin', { timeoutMs: 20_000, outputCapBytes: 4096 });
  expect(inside.stdout.split(' ')[0]).toBe(hash.digest('hex'));
});

test('transfers at once are capped per student and in total, and a finished one frees its slot', async () => {
  // Ada holds one upload open (one byte of ten sent): her next transfer is refused.
  const held = openUpload(route('Ada', 'dir=/root&name=held.txt'), ada.cookie, 10);
  held.req.write('a');
  const refused = await waitForStatus(() => fetch(berth.url + route('Ada', 'dir=/root&name=second.txt'), { method: 'POST', headers: { cookie: ada.cookie }, body: 'x' }), 429);
  expect((await refused.json()).error).toMatch(/Too many file transfers/);
  const download = await fetch(berth.url + route('Ada', 'path=/etc/hostname'), { headers: { cookie: ada.cookie } });
  expect(download.status).toBe(429);
  await download.text();

  // Bob takes the second slot of the class; Cy, with nothing running, is refused by the total cap.
  const bobs = openUpload(route('Bob', 'dir=/root&name=held.txt'), bob.cookie, 10);
  bobs.req.write('b');
  const cys = await waitForStatus(() => fetch(berth.url + route('Cy', 'dir=/root&name=c.txt'), { method: 'POST', headers: { cookie: cy.cookie }, body: 'x' }), 429);
  await cys.text();

  held.req.end('123456789');
  bobs.req.end('123456789');
  expect((await held.response).status).toBe(200);
  expect((await bobs.response).status).toBe(200);
  const after = await fetch(berth.url + route('Cy', 'dir=/root&name=c.txt'), { method: 'POST', headers: { cookie: cy.cookie }, body: 'x' });
  expect(after.status).toBe(200);
  await after.text();
});

/** The held upload's slot is taken once its headers are processed; poll until the refusal shows. */
async function waitForStatus(send: () => Promise<Response>, status: number): Promise<Response> {
  for (let i = 0; i < 100; i++) {
    const res = await send();
    if (res.status === status) return res;
    await res.text();
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`never got ${status}`);
}

test('a download larger than its cap is cut off rather than sent whole', async () => {
  const row = berth.server.ctx.sessions.get(sessions.Bob)!;
  await berth.server.ctx.backend.exec(row.backendState as never, 'box', 'head -c 3145728 /dev/urandom > /root/big.bin', { timeoutMs: 20_000, outputCapBytes: 4096 });
  const res = await fetch(berth.url + route('Bob', 'path=/root/big.bin'), { headers: { cookie: bob.cookie } });
  expect(res.status).toBe(200);
  let received = 0;
  let failed = false;
  try {
    received = (await res.arrayBuffer()).byteLength;
  } catch {
    failed = true;
  }
  expect(failed || received < 3145728).toBe(true);
  // A small file still downloads.
  const small = await fetch(berth.url + route('Bob', 'path=/etc/hostname'), { headers: { cookie: bob.cookie } });
  expect(small.status).toBe(200);
  expect((await small.arrayBuffer()).byteLength).toBeGreaterThan(512);
});
