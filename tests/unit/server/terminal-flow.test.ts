import type { ShellStream } from '../../../server/backend/lab-backend';
import { Terminal, type TerminalViewer } from '../../../server/terminal/terminal';

/** A stand-in shell for the flow-control arithmetic; the real exec is covered by tests/integration/runtime-terminal. */
function fakeShell() {
  let onData: (b: Buffer) => void = () => undefined;
  const shell = {
    paused: false,
    written: [] as string[],
    id: 'fake',
    write: (d: Buffer | string) => shell.written.push(String(d)),
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
    emit: (s: string) => onData(Buffer.from(s)),
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
