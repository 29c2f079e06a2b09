import type { ShellStream } from '../../../server/backend/lab-backend';
import { InputAccount, Terminal, type TerminalViewer } from '../../../server/terminal/terminal';

/**
 * A stand-in shell for the flow-control arithmetic; the real exec is covered by
 * tests/integration/runtime-terminal and tests/security/terminal-input-flood.
 * `full` makes write() report a full stream, as a socket to a shell that stopped reading does.
 */
function fakeShell() {
  let onData: (b: Buffer) => void = () => undefined;
  let onDrain: () => void = () => undefined;
  const shell = {
    paused: false,
    full: false,
    written: [] as string[],
    id: 'fake',
    write: (d: Buffer | string) => {
      shell.written.push(String(d));
      return !shell.full;
    },
    onDrain: (l: () => void) => {
      onDrain = l;
    },
    drain: () => {
      shell.full = false;
      onDrain();
    },
    resize: () => undefined,
    pause: () => {
      shell.paused = true;
    },
    resume: () => {
      shell.paused = false;
    },
    onData: (l: (b: Buffer) => void) => {
      onData = l;
    },
    onExit: () => undefined,
    close: async () => undefined,
    emit: (s: string | Buffer) => onData(typeof s === 'string' ? Buffer.from(s) : s),
  };
  return shell;
}

function viewer(id: string, owner = true) {
  const v = {
    id,
    owner,
    got: [] as Array<[number, string]>,
    resets: [] as number[],
    send: (seq: number, data: Buffer) => v.got.push([seq, data.toString()]),
    reset: (seq: number) => v.resets.push(seq),
    exit: () => undefined,
    transportBacklog: () => 0,
    slow: [] as Array<[boolean, number]>,
    inputSlow: (slow: boolean, dropped: number) => v.slow.push([slow, dropped]),
  };
  return v satisfies TerminalViewer;
}

test('output beyond the high watermark pauses the shell until the owner acknowledges below the low one', () => {
  const shell = fakeShell();
  const t = new Terminal('s/t', 'm', shell as unknown as ShellStream, 1000, { high: 100, low: 20, chunk: 50 });
  const v = viewer('a');
  t.attach(v, 0);
  shell.emit('x'.repeat(60));
  expect(shell.paused).toBe(false);
  shell.emit('y'.repeat(60));
  expect(shell.paused).toBe(true);
  // In flight to the viewer: at most `high` plus the one chunk that crossed it.
  expect(v.got.reduce((n, [, d]) => n + d.length, 0)).toBeLessThanOrEqual(100 + 50);
  t.ack('a', 50);
  expect(shell.paused).toBe(true);
  t.ack('a', 50);
  t.ack('a', 20);
  expect(shell.paused).toBe(false);
  expect(v.got.map(([, d]) => d).join('')).toBe('x'.repeat(60) + 'y'.repeat(60));
});

test('a re-attaching viewer gets exactly the bytes after what it has', () => {
  const shell = fakeShell();
  const t = new Terminal('s/t', 'm', shell as unknown as ShellStream, 1000, { high: 1000, low: 100, chunk: 1000 });
  const a = viewer('a');
  t.attach(a, 0);
  shell.emit('one ');
  shell.emit('two ');
  t.detach('a');
  shell.emit('three');
  const again = viewer('b');
  t.attach(again, 8);
  expect(again.got).toEqual([[8, 'three']]);
});

test('only owners type, and a slow watcher never pauses the student', () => {
  const shell = fakeShell();
  const t = new Terminal('s/t', 'm', shell as unknown as ShellStream, 1000, { high: 10, low: 2, chunk: 10 });
  const watcher = viewer('w', false);
  t.attach(watcher, 0);
  expect(t.input('w', 'rm -rf /\r')).toBe(false);
  shell.emit('z'.repeat(50));
  expect(shell.paused).toBe(false);
  const owner = viewer('o');
  t.attach(owner, 50);
  expect(t.input('o', 'ls\r')).toBe(true);
  expect(shell.written).toEqual(['ls\r']);
});

test('output after a quiet moment is sent at once; output that keeps coming goes out as one message', async () => {
  const shell = fakeShell();
  const t = new Terminal('s/t', 'm', shell as unknown as ShellStream, 1 << 20, { high: 1 << 20, low: 1 << 10, chunk: 64 * 1024 }, { coalesce: { quietMs: 1000, batchMs: 5, maxBatch: 64 * 1024 } });
  const v = viewer('a');
  t.attach(v, 0);
  shell.emit('$ ');
  expect(v.got).toEqual([[0, '$ ']]);
  for (let i = 0; i < 50; i++) shell.emit(`line ${i}\r\n`);
  expect(v.got.length).toBe(1);
  await new Promise((r) => setTimeout(r, 30));
  expect(v.got.length).toBe(2);
  expect(v.got[1][1]).toBe(Array.from({ length: 50 }, (_, i) => `line ${i}\r\n`).join(''));
  await t.close();
});

test('a full message is sent without waiting, and is a view of the scrollback rather than a copy', () => {
  const shell = fakeShell();
  const t = new Terminal('s/t', 'm', shell as unknown as ShellStream, 1 << 20, { high: 1 << 20, low: 1 << 10, chunk: 16 * 1024 }, { coalesce: { quietMs: 1000, batchMs: 60_000, maxBatch: 16 * 1024 } });
  const sent: Buffer[] = [];
  const v = { ...viewer('a'), send: (_seq: number, data: Buffer) => sent.push(data) };
  t.attach(v, 0);
  shell.emit('x');
  const big = Buffer.alloc(16 * 1024, 'y');
  (shell as unknown as { emit(s: string | Buffer): void }).emit(big);
  // The 16 KiB chunk is kept as it came and handed on as it is: no byte copied for the viewer.
  expect(sent.length).toBe(2);
  expect(sent[1].buffer).toBe(big.buffer);
  expect(sent[1].length).toBe(big.length);
});

test('the scrollback grows with the output instead of being allocated whole', () => {
  const shell = fakeShell();
  const t = new Terminal('s/t', 'm', shell as unknown as ShellStream, 512 * 1024, { high: 1 << 20, low: 1 << 10, chunk: 64 * 1024 });
  const allocated = () => (t as unknown as { scrollback: { allocated: number } }).scrollback.allocated;
  expect(allocated()).toBe(0);
  shell.emit('root@node1:~# ');
  expect(allocated()).toBeLessThanOrEqual(4096);
  for (let i = 0; i < 5000; i++) shell.emit('z'.repeat(200));
  // Bounded by the capacity plus one block, however much went through.
  expect(allocated()).toBeLessThanOrEqual(512 * 1024 + 64 * 1024);
});

test('input to a shell whose stream is full waits in a bounded queue; the sender is told to slow down, then to go on', () => {
  const shell = fakeShell();
  const account = new InputAccount();
  const t = new Terminal('s/t', 'm', shell as unknown as ShellStream, 1000, { high: 1000, low: 100, chunk: 1000 }, { input: { perTerminal: 100, total: 1000 }, account });
  const v = viewer('a');
  t.attach(v, 0);
  shell.full = true;
  expect(t.input('a', 'a'.repeat(40))).toBe(true);
  expect(shell.written.length).toBe(1);
  // The stream said full: nothing more is written until it drains.
  t.input('a', 'b'.repeat(20));
  t.input('a', 'c'.repeat(20));
  expect(shell.written.length).toBe(1);
  expect(t.inputHeld).toBe(80);
  expect(account.held).toBe(80);
  expect(v.slow).toEqual([[true, 0]]);
  // Past the allowance: dropped, not held.
  t.input('a', 'd'.repeat(30));
  expect(t.inputHeld).toBe(80);
  expect(t.inputDropped).toBe(30);
  shell.drain();
  expect(shell.written.join('')).toBe('a'.repeat(40) + 'b'.repeat(20) + 'c'.repeat(20));
  expect(t.inputHeld).toBe(0);
  expect(account.held).toBe(0);
  expect(v.slow).toEqual([[true, 0], [false, 30]]);
});

test('all terminals together hold no more input than the total allowance', () => {
  const account = new InputAccount();
  const shells = [fakeShell(), fakeShell(), fakeShell()];
  const terms = shells.map((sh, i) => new Terminal(`s/${i}`, 'm', sh as unknown as ShellStream, 1000, { high: 1000, low: 100, chunk: 1000 }, { input: { perTerminal: 100, total: 150 }, account }));
  terms.forEach((t, i) => t.attach(viewer(`v${i}`), 0));
  shells.forEach((sh) => (sh.full = true));
  terms.forEach((t, i) => t.input(`v${i}`, 'x'));
  for (let round = 0; round < 20; round++) terms.forEach((t, i) => t.input(`v${i}`, 'y'.repeat(10)));
  expect(account.held).toBeLessThanOrEqual(150);
  expect(terms.reduce((n, t) => n + t.inputHeld, 0)).toBe(account.held);
});

test('Ctrl-C jumps the queue of input a stuck program has not read', () => {
  const shell = fakeShell();
  const t = new Terminal('s/t', 'm', shell as unknown as ShellStream, 1000, { high: 1000, low: 100, chunk: 1000 }, { input: { perTerminal: 1000, total: 1000 } });
  t.attach(viewer('a'), 0);
  shell.full = true;
  t.input('a', 'paste that will not be read');
  t.input('a', 'more of it');
  t.input('a', '\x03');
  shell.drain();
  expect(shell.written).toEqual(['paste that will not be read', '\x03']);
});

test('a shell that ends gives back the input it held', async () => {
  let exit: (r: string) => void = () => undefined;
  const shell = Object.assign(fakeShell(), { onExit: (l: (r: string) => void) => (exit = l) });
  const account = new InputAccount();
  const t = new Terminal('s/t', 'm', shell as unknown as ShellStream, 1000, { high: 1000, low: 100, chunk: 1000 }, { input: { perTerminal: 1000, total: 1000 }, account });
  t.attach(viewer('a'), 0);
  shell.full = true;
  t.input('a', 'one');
  t.input('a', 'two');
  expect(account.held).toBe(6);
  exit('the shell exited');
  expect(account.held).toBe(0);
  expect(t.input('a', 'three')).toBe(false);
});

test("a keystroke's echo is sent at once even while output is still coming", () => {
  const shell = fakeShell();
  const t = new Terminal('s/t', 'm', shell as unknown as ShellStream, 1 << 20, { high: 1 << 20, low: 1 << 10, chunk: 64 * 1024 }, { coalesce: { quietMs: 1000, batchMs: 60_000, maxBatch: 64 * 1024 } });
  const v = viewer('a');
  t.attach(v, 0);
  shell.emit('$ ');
  shell.emit('more');
  expect(v.got).toEqual([[0, '$ ']]);
  t.input('a', 'l');
  shell.emit('l');
  // The echo goes out with what was waiting before it, without waiting for the batch.
  expect(v.got).toEqual([[0, '$ '], [2, 'morel']]);
  void t.close();
});
