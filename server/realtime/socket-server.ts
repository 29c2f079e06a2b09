import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import type { z } from 'zod';
import type { ClientToServerEvents, ServerToClientEvents } from '../contracts/protocol';
import type { BerthContext } from '../context';
import { shellReady } from '../sessions/step-setup';
import type { Terminal, TerminalViewer } from '../terminal/terminal';
import { originAllowed } from '../http/auth';
import type { InstructorIdentity } from '../classroom';
import { INSTRUCTOR_EVENTS } from '../contracts/classroom';
import { describeIssue, inbound, type InboundEvent } from './inbound';
import { registerInstructorSocket } from './instructor-socket';
import type { RoomEmitter } from '../live/class-feed';
import { studentRoom } from '../live/live-service';
import { INTERNAL_ERROR, publicMessage } from '../http/public-error';
import { log } from '../log';

interface SocketData {
  /** Which cookie let this socket in; instructor sockets get none of the student handlers. */
  role: 'student' | 'instructor';
  instructor: InstructorIdentity | null;
  studentId: string;
  studentName: string;
  watching: Set<string>;
  terminals: Map<string, { sessionId: string; terminalId: string }>;
  /** Terminals being attached, with the last size asked for meanwhile (applied once attached). */
  attaching: Map<string, { cols: number; rows: number } | null>;
  invalid: number;
}

type BerthSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
type Reply = (r: { ok: boolean; error?: string }) => void;

/** How many bytes wait in the socket below us: engine.io's queue plus the websocket's own buffer. */
function transportBacklog(socket: BerthSocket): number {
  const conn = socket.conn as unknown as { writeBuffer?: unknown[]; transport?: { socket?: { bufferedAmount?: number } } };
  return (conn.writeBuffer?.length ?? 0) * 1024 + (conn.transport?.socket?.bufferedAmount ?? 0);
}

export function attachRealtime(http: HttpServer, ctx: BerthContext): Server<ClientToServerEvents, ServerToClientEvents> {
  const io = new Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>(http, {
    maxHttpBufferSize: ctx.config.terminal.maxInputBytes + 64 * 1024,
    // Leave upgrades on other paths (the /s/ port proxy) alone.
    destroyUpgrade: false,
    allowRequest: (req, callback) => {
      // Host first (DNS rebinding), then Origin against the same allowlist.
      if (!ctx.hosts.allows(req.headers.host)) return callback('host not allowed', false);
      const ok = originAllowed(req.headers.origin, ctx.hosts, ctx.config.allowedOrigins);
      callback(ok ? null : 'origin not allowed', ok);
    },
    pingInterval: 10_000,
    pingTimeout: 20_000,
  });

  io.use((socket, next) => {
    // A browser holding both cookies says which page it is: `io({ auth: { role: 'instructor' } })`.
    const wants = (socket.handshake.auth as { role?: unknown } | undefined)?.role;
    const student = wants === 'instructor' ? null : ctx.studentOf(socket.request);
    const instructor = student || wants === 'student' ? null : ctx.instructorOf(socket.request);
    if (!student && !instructor) return next(new Error('not joined'));
    socket.data.role = student ? 'student' : 'instructor';
    socket.data.instructor = instructor;
    // Revoking this login (logout, logout everywhere, password reset) disconnects the socket.
    if (instructor) void socket.join(`login:${instructor.loginId}`);
    socket.data.studentId = student?.id ?? '';
    socket.data.studentName = student?.name ?? '';
    socket.data.watching = new Set();
    socket.data.terminals = new Map();
    socket.data.attaching = new Map();
    socket.data.invalid = 0;
    next();
  });

  // The live view sends class patches, notices and takeover banners through these rooms.
  ctx.live.bind(io as unknown as RoomEmitter);
  ctx.bus.on('status', (e) => {
    const { studentId: _owner, ...event } = e;
    io.to(`session:${e.sessionId}`).emit('session:status', event);
  });
  ctx.bus.on('check', (e) => io.to(`session:${e.sessionId}`).emit('check:result', e));
  ctx.bus.on('diskWarning', ({ studentId: _owner, ...e }) => io.to(`session:${e.sessionId}`).emit('session:disk', e));
  ctx.bus.on('progress', (e) => io.to(`session:${e.sessionId}`).emit('progress', { sessionId: e.sessionId, progress: e.progress }));
  // The same "quiet after Enter" signal the checks use: the editor's file tree refreshes on it.
  ctx.terminals.onPromptReturn((sessionId, machine) => io.to(`session:${sessionId}`).emit('files:changed', { sessionId, machine }));

  ctx.bus.on('instructorLoginsRevoked', ({ loginIds }) => {
    for (const id of loginIds) io.in(`login:${id}`).disconnectSockets(true);
  });

  io.on('connection', (socket: BerthSocket) => {
    if (socket.data.role === 'instructor') {
      registerInstructorSocket(io as unknown as Server, socket as unknown as Socket, ctx);
      return;
    }
    // Instructor-only events are refused to students by name, never silently ignored.
    for (const event of INSTRUCTOR_EVENTS.filter((e) => !(e in inbound))) {
      socket.on(event as never, ((_payload: unknown, reply?: unknown) => {
        if (typeof reply === 'function') reply({ ok: false, error: 'Only instructors may do that.', code: 'forbidden' });
      }) as never);
    }
    /** Validates, then runs; a misbehaving client is told why and, if it insists, dropped. */
    function on<E extends InboundEvent>(event: E, handler: (payload: z.output<(typeof inbound)[E]>, reply: Reply) => unknown): void {
      socket.on(event as never, ((raw: unknown, maybeReply?: unknown) => {
        const reply: Reply = typeof maybeReply === 'function' ? (maybeReply as Reply) : () => undefined;
        const parsed = inbound[event].safeParse(raw);
        if (!parsed.success) {
          socket.data.invalid++;
          reply({ ok: false, error: `invalid ${event}: ${describeIssue(parsed.error)}` });
          if (socket.data.invalid > 50) socket.disconnect(true);
          return;
        }
        Promise.resolve()
          .then(() => handler(parsed.data as z.output<(typeof inbound)[E]>, reply))
          .catch((err: unknown) => {
            // Engine errors and host paths stay in the log; the student reads a sentence meant for them.
            if (publicMessage(err) === INTERNAL_ERROR) log.error({ err, event }, 'socket handler failed');
            reply({ ok: false, error: publicMessage(err) });
          });
      }) as never);
    }

    const own = (sessionId: string) => ctx.sessionDoor.open(sessionId, { student: socket.data.studentId }).row;

    on('session:watch', async (req, reply) => {
      const row = own(req.sessionId);
      socket.data.watching.add(row.id);
      void socket.join(`session:${row.id}`);
      reply({ ok: true });
      for (const result of ctx.progress.lastResults(row.id)) socket.emit('check:result', result);
      // The student is back at a lab that idled into a pause: wake it without asking.
      if (row.state === 'paused') await ctx.sessions.resume(row.id).catch(() => undefined);
    });

    on('terminal:attach', async (req, reply) => {
      const session = ctx.sessionDoor.open(req.sessionId, { student: socket.data.studentId }, { running: true });
      const key = `${req.sessionId}/${req.terminalId}`;
      const previous = socket.data.terminals.get(key);
      if (previous) ctx.terminals.detach(req.sessionId, req.terminalId, socket.id);
      const viewer: TerminalViewer = {
        id: socket.id,
        owner: true,
        send: (seq, data) => socket.emit('terminal:data', { sessionId: req.sessionId, terminalId: req.terminalId, seq, data }),
        reset: (seq) => socket.emit('terminal:reset', { sessionId: req.sessionId, terminalId: req.terminalId, seq }),
        exit: (reason) => socket.emit('terminal:exit', { sessionId: req.sessionId, terminalId: req.terminalId, reason }),
        transportBacklog: () => transportBacklog(socket),
        inputSlow: (slow, dropped) => socket.emit('terminal:slow', { sessionId: req.sessionId, terminalId: req.terminalId, slow, dropped }),
      };
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
      if (late) terminal.resize(socket.id, late.cols, late.rows);
      socket.data.terminals.set(key, { sessionId: req.sessionId, terminalId: req.terminalId });
      reply({ ok: true, owner: true } as { ok: boolean });
      // A machine's main terminal (id = machine name) is where visible step setup is typed; some may be waiting for it.
      if (req.terminalId === req.machine) void shellReady(terminal).then(() => ctx.progress.terminalOpened(session.id, req.machine));
    });

    on('terminal:input', (req, reply) => {
      // BERTH_MAX_MESSAGE, in bytes, is the limit of one message (socket.io's own cap sits a little above it for framing).
      // Part of validating the message, so it is answered like any invalid payload, attached terminal or not.
      const size = Buffer.byteLength(req.data);
      const max = ctx.config.terminal.maxInputBytes;
      if (size > max) return reply({ ok: false, error: `invalid terminal:input: data: one input message may be at most ${max} bytes (BERTH_MAX_MESSAGE), this one has ${size}` });
      if (!socket.data.terminals.has(`${req.sessionId}/${req.terminalId}`)) return;
      if (ctx.terminals.input(req.sessionId, req.terminalId, socket.id, req.data)) ctx.sessions.touch(req.sessionId);
    });

    on('terminal:resize', (req) => {
      const key = `${req.sessionId}/${req.terminalId}`;
      if (socket.data.attaching.has(key)) socket.data.attaching.set(key, { cols: req.cols, rows: req.rows });
      if (!socket.data.terminals.has(key)) return;
      ctx.terminals.get(req.sessionId, req.terminalId)?.resize(socket.id, req.cols, req.rows);
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

    on('check:run', async (req, reply) => {
      own(req.sessionId);
      // Refusals first: once we have replied {ok:true}, a later error cannot reach the client.
      ctx.progress.checkable(req.sessionId, req.step);
      reply({ ok: true });
      await ctx.progress.runCheck(req.sessionId, req.step, 'button');
    });

    on('step:goto', (req, reply) => {
      own(req.sessionId);
      ctx.progress.goto(req.sessionId, req.step);
      reply({ ok: true });
    });

    on('hint:reveal', (req, reply) => {
      own(req.sessionId);
      reply(ctx.progress.revealHint(req.sessionId, req.step));
    });

    on('solution:reveal', (req, reply) => {
      own(req.sessionId);
      reply(ctx.progress.revealSolution(req.sessionId, req.step));
    });

    on('quiz:answer', (req, reply) => {
      own(req.sessionId);
      reply(ctx.progress.answerQuiz(req.sessionId, req.step, req.quizId, req.choices));
    });

    // Notices and takeover banners reach every tab of the student; a reconnecting tab gets the banner still due.
    void socket.join(studentRoom(socket.data.studentId));
    ctx.live.greet(socket.data.studentId);

    on('takeover:end', (req, reply) => {
      own(req.sessionId);
      reply({ ok: Boolean(ctx.live.endTakeover(req.sessionId, req.terminalId, 'student')) });
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
  });
  return io;
}
