import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '../contracts/protocol';
import type { BerthContext } from '../context';
import { originAllowed } from '../http/auth';
import type { RoomEmitter } from '../live/class-feed';
import { registerInstructorSocket, type InstructorRecheck } from './instructor-socket';
import { broadcastProgressEvents } from './progress-events';
import { broadcastSessionEvents } from './session-events';
import { registerStudentSocket, type BerthServer, type BerthSocket } from './student-socket';
import { broadcastTerminalEvents } from './terminal-events';

/**
 * socket.io for Berth: who may connect (host, origin, a student's or an
 * instructor's cookie) and which handlers a connection gets. The handlers live
 * by area: student-socket.ts (validation and replies) with session-events.ts,
 * terminal-events.ts and progress-events.ts; instructor-socket.ts.
 */
/** How often open instructor sockets re-read their login: the longest a CLI password reset or an idle expiry leaves one open. */
export const INSTRUCTOR_RECHECK_MS = 5_000;

export function attachRealtime(http: HttpServer, ctx: BerthContext): Server<ClientToServerEvents, ServerToClientEvents> {
  const io: BerthServer = new Server(http, {
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
    // Revoking this login here (logout, logout everywhere, web revoke) disconnects the socket at once.
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
  broadcastSessionEvents(io, ctx);
  broadcastProgressEvents(io, ctx);
  broadcastTerminalEvents(io, ctx);
  ctx.bus.on('instructorLoginsRevoked', ({ loginIds }) => {
    for (const id of loginIds) io.in(`login:${id}`).disconnectSockets(true);
  });

  // Open instructor sockets, re-checked when a class changes (a co-teacher taken off loses it at once) and on a
  // timer (a login that expired, or was revoked by `berth admin` in another process, whose bus this one never hears).
  const instructorSockets = new Map<string, InstructorRecheck>();
  const recheckAll = () => {
    for (const recheck of [...instructorSockets.values()]) recheck();
  };
  const stopListening = ctx.classes.onUpdated(recheckAll);
  const sweep = setInterval(recheckAll, INSTRUCTOR_RECHECK_MS);
  sweep.unref();
  http.once('close', () => {
    clearInterval(sweep);
    stopListening();
  });

  io.on('connection', (socket: BerthSocket) => {
    if (socket.data.role !== 'instructor') return registerStudentSocket(socket, ctx);
    const recheck = registerInstructorSocket(io as unknown as Server, socket as unknown as Socket, ctx);
    if (!recheck) return;
    instructorSockets.set(socket.id, recheck);
    socket.on('disconnect', () => instructorSockets.delete(socket.id));
  });
  return io;
}
