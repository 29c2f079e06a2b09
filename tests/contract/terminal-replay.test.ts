/**
 * Contract: a terminal never loses or doubles a byte across reconnects, and
 * its size follows the client before and after the shell starts. Asserts on
 * the byte stream itself, against the server's scrollback.
 */
import { io } from 'socket.io-client';
import { connect, join, scrollbackOf, sleep, startLab, startBerth, TermClient, waitFor, type Berth, type ClientSocket, type Student } from './harness';

let berth: Berth;
let ada: Student;
let sessionId: string;
const sockets: ClientSocket[] = [];

async function socket(): Promise<ClientSocket> {
  const s = await connect(berth.url, ada.cookie);
  sockets.push(s);
  return s;
}

beforeAll(async () => {
  // A small scrollback so the overflow case is quick to reach.
  berth = await startBerth('ct-replay', { BERTH_SCROLLBACK: '64k' });
  ada = await join(berth.url, 'Ada');
  sessionId = await startLab(berth, ada, 'shell-only');
}, 60_000);

afterAll(async () => {
  for (const s of sockets) s.close();
  await berth?.dispose();
}, 60_000);

/** Every `L<n>` line in order; the test wants exactly 1..5000, once each. */
function numberedLines(text: string): number[] {
  return [...text.matchAll(/^L(\d+)\r?$/gm)].map((m) => Number(m[1]));
}

test('size before start: the shell is created with the attach size; a resize racing the attach is not lost', async () => {
  const s = await socket();
  const term = new TermClient(s, sessionId, 'sized');
  const attached = term.attach('box', 0, 91, 27);
  // Sent before the attach has been answered, i.e. while the exec is still being created.
  s.emit('terminal:resize', { sessionId, terminalId: 'sized', cols: 140, rows: 45 });
  expect(await attached).toEqual({ ok: true, owner: true });
  await sleep(300);
  expect(await term.run('stty size')).toBe('45 140');
  s.emit('terminal:resize', { sessionId, terminalId: 'sized', cols: 80, rows: 24 });
  await sleep(300);
  expect(await term.run('stty size; tput cols; tput lines')).toBe('24 80\n80\n24');
}, 30_000);

test('the shell starts at the attach size, without any resize', async () => {
  const term = new TermClient(await socket(), sessionId, 'plain');
  expect(await term.attach('box', 0, 123, 33)).toEqual({ ok: true, owner: true });
  expect(await term.run('stty size')).toBe('33 123');
}, 20_000);

test('reconnect after a drop mid-output replays exactly the missing bytes', async () => {
  const first = new TermClient(await socket(), sessionId, 'box');
  expect(await first.attach('box', 0)).toEqual({ ok: true, owner: true });
  await first.waitText(/[#$] $/);
  // seq 1 5000, paced so that the drop lands in the middle of it.
  first.type('for i in $(seq 1 5000); do echo "L$i"; [ $((i % 250)) = 0 ] && sleep 0.1; done; echo "EN""D"\r');
  await first.waitText('L1000\r\n', 20_000);
  first.socket.disconnect();
  const have = first.next;
  await sleep(400); // output goes on into the scrollback while nobody watches

  const second = new TermClient(await socket(), sessionId, 'box');
  second.base = have; // this client already drew everything before `have`
  expect(await second.attach('box', have)).toEqual({ ok: true, owner: true });
  await second.waitText(/^END\r?$/m, 30_000);

  const terminal = berth.server.ctx.terminals.get(sessionId, 'box')!;
  await waitFor('the prompt after END', () => /END\r\n.*[#$] $/s.test(second.text()));
  const stream = Buffer.concat([first.bytes(), second.bytes()]);
  expect(first.gaps).toEqual([]);
  expect(second.gaps).toEqual([]);
  expect(second.resets).toEqual([]);
  expect(stream.length).toBe(terminal.end);
  expect(stream.equals(scrollbackOf(terminal))).toBe(true);
  const lines = numberedLines(stream.toString('utf8'));
  expect(lines.length).toBe(5000);
  expect(lines.every((n, i) => n === i + 1)).toBe(true);
}, 60_000);

/** Opens `terminalId` at its prompt, types `key` and waits for the echo; `forms` has each chunk's form so far and after. */
async function echoOn(s: ClientSocket, terminalId: string, key: string): Promise<{ term: TermClient; forms: Array<'string' | 'bytes'> }> {
  const forms: Array<'string' | 'bytes'> = [];
  s.on('terminal:data', (e) => {
    if (e.terminalId === terminalId) forms.push(typeof e.data === 'string' ? 'string' : 'bytes');
  });
  const term = new TermClient(s, sessionId, terminalId);
  expect(await term.attach('box', 0)).toEqual({ ok: true, owner: true });
  await term.waitText(/[#$] $/);
  term.type(key);
  await term.waitText(new RegExp(`${key}$`));
  return { term, forms };
}

test('an echo travels as a string and UTF-8 as bytes; together they are the scrollback, byte for byte', async () => {
  const { term, forms } = await echoOn(await socket(), 'forms', 'x');
  // é, € and a 4-byte emoji, printed in one go so that they arrive within a chunk
  term.type('\x15'); // clear the typed x
  expect(await term.run("printf 'caf\\303\\251 \\342\\202\\254 \\360\\237\\220\\263\\n'")).toContain('café € 🐳');
  const terminal = berth.server.ctx.terminals.get(sessionId, 'forms')!;
  await waitFor('every byte', () => term.next >= terminal.end);
  expect(forms).toContain('string');
  expect(forms).toContain('bytes');
  expect(term.gaps).toEqual([]);
  expect(term.bytes().equals(scrollbackOf(terminal))).toBe(true);
}, 30_000);

test('a client that did not say it reads strings (a page loaded before) gets every chunk as bytes', async () => {
  const s: ClientSocket = io(berth.url, { transports: ['websocket'], extraHeaders: { cookie: ada.cookie }, reconnection: false, forceNew: true });
  sockets.push(s);
  await new Promise<void>((resolve) => s.once('connect', () => resolve()));
  const { forms } = await echoOn(s, 'old', 'y');
  expect(forms.length).toBeGreaterThan(0);
  expect(new Set(forms)).toEqual(new Set(['bytes']));
}, 30_000);

test('a second tab (from 0) sees the same bytes; a client ahead of the server is reset to 0', async () => {
  const terminal = berth.server.ctx.terminals.get(sessionId, 'box')!;
  const tab = new TermClient(await socket(), sessionId, 'box');
  await tab.attach('box', 0);
  await waitFor('the whole scrollback', () => tab.next >= terminal.end);
  expect(tab.bytes().equals(scrollbackOf(terminal))).toBe(true);

  const ahead = new TermClient(await socket(), sessionId, 'box');
  ahead.base = terminal.end + 10_000;
  await ahead.attach('box', terminal.end + 10_000);
  await waitFor('a reset', () => ahead.resets.length > 0);
  expect(ahead.resets).toEqual([0]);
  await waitFor('the replay', () => ahead.next >= terminal.end);
  expect(ahead.bytes().equals(scrollbackOf(terminal))).toBe(true);
}, 30_000);

test('a client that fell out of the scrollback is reset to its oldest byte, then gets every byte after it', async () => {
  const s = await socket();
  const term = new TermClient(s, sessionId, 'box');
  await term.attach('box', 0);
  const terminal = berth.server.ctx.terminals.get(sessionId, 'box')!;
  await waitFor('the replay', () => term.next >= terminal.end);
  term.type('echo go\r');
  await term.waitText('go\r\n');
  s.emit('terminal:detach', { sessionId, terminalId: 'box' });
  const stale = term.next;
  // 150 kB while detached: more than twice the 64 kB scrollback.
  const writer = new TermClient(await socket(), sessionId, 'box');
  writer.base = terminal.end;
  await writer.attach('box', terminal.end);
  writer.type("head -c 150000 /dev/zero | tr '\\0' x; echo; echo DO''NE\r");
  await writer.waitText(/^DONE\r?$/m, 20_000);
  await waitFor('the prompt', () => /DONE\r\n.*[#$] $/s.test(writer.text()));
  expect(terminal.end - stale).toBeGreaterThan(64 * 1024);

  const late = new TermClient(s, sessionId, 'box');
  late.base = stale;
  await late.attach('box', stale);
  await waitFor('the replay', () => late.next >= terminal.end);
  expect(late.resets).toEqual([terminal.end - 64 * 1024]);
  expect(late.bytes().equals(scrollbackOf(terminal))).toBe(true);
  expect(late.gaps).toEqual([]);
}, 60_000);
