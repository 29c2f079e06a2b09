import type { BerthContext } from '../context';
import { studentRoom } from '../live/live-service';
import type { BerthServer, StudentSocket } from './student-socket';

/** Session status and disk warnings reach every socket watching the session. */
export function broadcastSessionEvents(io: BerthServer, ctx: BerthContext): void {
  ctx.bus.on('status', (e) => {
    const { studentId: _owner, ...event } = e;
    io.to(`session:${e.sessionId}`).emit('session:status', event);
  });
  ctx.bus.on('diskWarning', ({ studentId: _owner, ...e }) => io.to(`session:${e.sessionId}`).emit('session:disk', e));
}

/** Watching a session, and the classroom's notices and takeovers that concern the student. */
export function registerSessionEvents({ socket, ctx, on, own }: StudentSocket): void {
  on('session:watch', async (req, reply) => {
    const row = own(req.sessionId).row;
    socket.data.watching.add(row.id);
    void socket.join(`session:${row.id}`);
    reply({ ok: true });
    // What was announced before this page joined the room (a warm start is running before the page
    // has asked to watch it; an instructor took over while the socket was on the catalog) is sent
    // again, or the page would wait for an announcement already made.
    const now = ctx.sessions.get(row.id);
    if (now) socket.emit('session:status', ctx.sessions.statusOf(now));
    for (const result of ctx.progress.lastResults(row.id)) socket.emit('check:result', result);
    ctx.live.showBanners(row.id);
    // The student is back at a lab that idled into a pause: wake it without asking. A refusal (Berth full)
    // reaches the page as the session's status; the reply has gone already.
    if (row.state === 'paused') await ctx.sessions.resume(row.id).catch(() => undefined);
  });

  // Notices and takeover banners reach every tab of the student; a reconnecting tab gets the banner still due.
  void socket.join(studentRoom(socket.data.studentId));
  ctx.live.greet(socket.data.studentId);

  on('takeover:end', (req, reply) => {
    own(req.sessionId);
    reply({ ok: Boolean(ctx.live.endTakeover(req.sessionId, req.terminalId, 'student')) });
  });
}
