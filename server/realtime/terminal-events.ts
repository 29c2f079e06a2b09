import type { Socket } from 'socket.io';
import type { BerthContext } from '../context';
import { readsTextChunks, toTerminalData } from '../contracts/terminal-data';
import { sessionLog } from '../log';
import { shellReady } from '../sessions/step-setup';
import type { Terminal, TerminalViewer } from '../terminal/terminal';
import type { BerthServer, StudentSocket } from './student-socket';

/** How many bytes wait in the socket below us: engine.io's queue plus the websocket's own buffer. */
export function transportBacklog(socket: Socket): number {
  const conn = socket.conn as unknown as { writeBuffer?: unknown[]; transport?: { socket?: { bufferedAmount?: number } } };
  return (conn.writeBuffer?.length ?? 0) * 1024 + (conn.transport?.socket?.bufferedAmount ?? 0);
}

/**
 * A socket as a terminal's viewer. `owner` false (an instructor watching): the terminal core never
 * waits for it, and it cannot type or resize. Only an owner is told to slow its input down.
 */
export function socketViewer(socket: Socket, sessionId: string, terminalId: string, owner: boolean): TerminalViewer {
  const text = readsTextChunks(socket.handshake.auth);
  return {
    id: socket.id,
    owner,
    send: (seq, data) => socket.emit('terminal:data', { sessionId, terminalId, seq, data: text ? toTerminalData(data) : data }),
    reset: (seq) => socket.emit('terminal:reset', { sessionId, terminalId, seq }),
    exit: (reason) => socket.emit('terminal:exit', { sessionId, terminalId, reason }),
    transportBacklog: () => transportBacklog(socket),
    ...(owner ? { inputSlow: (slow: boolean, dropped: number) => socket.emit('terminal:slow', { sessionId, terminalId, slow, dropped }) } : {}),
  };
}

/** The same "quiet after Enter" signal the checks use: the editor's file tree refreshes on it. */
export function broadcastTerminalEvents(io: BerthServer, ctx: BerthContext): void {
  ctx.terminals.onPromptReturn((sessionId, machine) => io.to(`session:${sessionId}`).emit('files:changed', { sessionId, machine }));
}

/** The student's terminals: attach (through the session door), input with its size limit, resize, flow control, detach, close. */
export function registerTerminalEvents({ socket, ctx, on, own }: StudentSocket): void {
  on('terminal:attach', async (req, reply) => {
    const session = own(req.sessionId, { running: true });
    const key = `${req.sessionId}/${req.terminalId}`;
    const previous = socket.data.terminals.get(key);
    if (previous) ctx.terminals.detach(req.sessionId, req.terminalId, socket.id);
    const viewer = socketViewer(socket, req.sessionId, req.terminalId, true);
    // A resize sent while the shell is being created (the browser laid out the page meanwhile)
    // would otherwise be dropped: the terminal is not ours yet. Keep the last one and apply it.
    socket.data.attaching.set(key, null);
    let terminal: Terminal;
    let late: { cols: number; rows: number } | null | undefined;
    try {
      terminal = await session.attachTerminal(req.terminalId, req.machine, viewer, req.from, { cols: req.cols, rows: req.rows });
    } finally {
      late = socket.data.attaching.get(key);
      socket.data.attaching.delete(key);
    }
    if (late) void terminal.resize(socket.id, late.cols, late.rows);
    socket.data.terminals.set(key, { sessionId: req.sessionId, terminalId: req.terminalId });
    reply({ ok: true, owner: true });
    // A machine's main terminal (id = machine name) is where visible step setup is typed; some may be waiting for it.
    if (req.terminalId === req.machine) {
      // Up to seconds later: the session may have ended, or Berth be shutting down, by then.
      void shellReady(terminal)
        .then(() => ctx.progress.terminalOpened(session.id, req.machine))
        .catch((err: unknown) => sessionLog(session.id).warn({ err: String(err), machine: req.machine }, 'typing waiting step setup failed'));
    }
  });

  on('terminal:input', (req, reply) => {
    // BERTH_MAX_MESSAGE, in bytes, is the limit of one message (socket.io's own cap sits a little above it for framing).
    // Part of validating the message, so it is answered like any invalid payload, attached terminal or not.
    const size = Buffer.byteLength(req.data);
    const max = ctx.config.terminal.maxInputBytes;
    if (size > max) {
      return reply({ ok: false, code: 'invalid', error: `invalid terminal:input: data: one input message may be at most ${max} bytes (BERTH_MAX_MESSAGE), this one has ${size}` });
    }
    if (!socket.data.terminals.has(`${req.sessionId}/${req.terminalId}`)) return;
    if (ctx.terminals.input(req.sessionId, req.terminalId, socket.id, req.data)) ctx.sessions.touch(req.sessionId);
  });

  on('terminal:resize', (req) => {
    const key = `${req.sessionId}/${req.terminalId}`;
    if (socket.data.attaching.has(key)) socket.data.attaching.set(key, { cols: req.cols, rows: req.rows });
    if (!socket.data.terminals.has(key)) return;
    void ctx.terminals.get(req.sessionId, req.terminalId)?.resize(socket.id, req.cols, req.rows);
  });

  on('terminal:ack', (req) => {
    ctx.terminals.get(req.sessionId, req.terminalId)?.ack(socket.id, req.bytes);
  });

  on('terminal:detach', (req) => {
    socket.data.terminals.delete(`${req.sessionId}/${req.terminalId}`);
    ctx.terminals.detach(req.sessionId, req.terminalId, socket.id);
  });

  on('terminal:close', async (req) => {
    own(req.sessionId);
    socket.data.terminals.delete(`${req.sessionId}/${req.terminalId}`);
    await ctx.terminals.close(req.sessionId, req.terminalId);
  });

  // The websocket drained: terminals waiting on this socket's backlog can send again.
  // engine.io reports 'drain' from inside a send; deferring keeps that send whole.
  socket.conn.on('drain', () => {
    setImmediate(() => {
      for (const t of socket.data.terminals.values()) ctx.terminals.get(t.sessionId, t.terminalId)?.pump();
    });
  });

  socket.on('disconnect', () => {
    for (const t of socket.data.terminals.values()) ctx.terminals.detach(t.sessionId, t.terminalId, socket.id);
    socket.data.terminals.clear();
  });
}
