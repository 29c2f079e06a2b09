/**
 * Contract: an instructor typing through a takeover is bounded like the
 * student. Into a shell that never reads (`sleep 1d`), Berth holds at most
 * BERTH_INPUT_QUEUE of the instructor's input, drops the rest, and tells the
 * instructor's page to slow down; Ctrl-C still gets through. Real engine,
 * one plain machine.
 */
import type { Socket } from 'socket.io-client';
import { connect, startLab, TermClient, waitFor, type Berth } from './harness';
import { createClass, emitAck, instructorSocket, joinClass, setupOwner, useLiveBerth } from './live-helpers';
import { terminalDataBytes } from '../../server/contracts/terminal-data';

const QUEUE = 256 * 1024;
let berth: Berth;

const open = useLiveBerth('ct-takeover-input', { BERTH_INPUT_QUEUE: '256k' }, (b) => (berth = b));

test("an instructor's flood into a shell that does not read is held to the queue limit and told to slow down", async () => {
  const owner = await setupOwner(berth);
  const cls = await createClass(berth, owner, 'Flood class', ['three-steps']);
  const student = await joinClass(berth, cls.joinCode.code!, 'Sid');
  const sessionId = await startLab(berth, student, 'three-steps');
  const studentSocket = await connect(berth.url, student.cookie);
  open.push(studentSocket);
  const term = new TermClient(studentSocket, sessionId, 'box');
  expect((await term.attach('box')).ok).toBe(true);
  term.type('echo "sle""eping"; sleep 1d\r');
  await term.waitText('sleeping');
  // Only the tail of the output matters from here on.
  let tail = '';
  studentSocket.on('terminal:data', (e) => {
    if (e.terminalId === 'box') tail = (tail + Buffer.from(terminalDataBytes(e.data)).toString('latin1')).slice(-4096);
  });
  const keepTailOnly = setInterval(() => (term.chunks = []), 200);

  const teacher: Socket = await instructorSocket(berth.url, owner.cookie);
  open.push(teacher);
  const slow: Array<{ slow: boolean; dropped: number }> = [];
  teacher.on('terminal:slow', (e: { terminalId: string; slow: boolean; dropped: number }) => {
    if (e.terminalId === 'box') slow.push({ slow: e.slow, dropped: e.dropped });
  });
  expect(await emitAck(teacher, 'terminal:takeover', { sessionId, terminalId: 'box', active: true })).toEqual({ ok: true });

  const terminal = berth.server.ctx.terminals.get(sessionId, 'box')!;
  const message = 'x'.repeat(60 * 1024);
  let most = 0;
  for (let sent = 0; sent < 48 * 1024 * 1024; ) {
    for (let i = 0; i < 32; i++) {
      teacher.emit('terminal:input', { sessionId, terminalId: 'box', data: message });
      sent += message.length;
    }
    // A round trip: the socket's events are handled in order, so everything above has been handled.
    await emitAck(teacher, 'terminal:takeover', { sessionId, terminalId: 'box', active: true });
    most = Math.max(most, terminal.inputHeld);
  }
  // 48 MiB went in; Berth held at most the queue (plus the one write the stream took before it said full).
  expect(most).toBeLessThanOrEqual(QUEUE + message.length);
  expect(slow[0]).toEqual({ slow: true, dropped: expect.any(Number) });

  try {
    // The instructor's Ctrl-C jumps the queue, as the student's does.
    await waitFor(() => `a prompt after Ctrl-C (got …${JSON.stringify(tail.slice(-200))})`, async () => {
      teacher.emit('terminal:input', { sessionId, terminalId: 'box', data: '\x03' });
      teacher.emit('terminal:input', { sessionId, terminalId: 'box', data: '\x03echo "ali""ve"\r' });
      return waitFor('alive', () => tail.includes('alive'), 1000, 50).then(() => true, () => false);
    }, 60_000, 0);
  } finally {
    clearInterval(keepTailOnly);
  }
  expect(await emitAck(teacher, 'terminal:takeover', { sessionId, terminalId: 'box', active: false })).toEqual({ ok: true });
}, 180_000);
