import type { Server, Socket } from 'socket.io';
import { z } from 'zod';
import type { InstructorIdentity } from '../classroom';
import { ClassroomError } from '../classroom/errors';
import { instructorInbound, type InstructorEvent } from '../contracts/classroom';
import type { Reply as ReplyBody } from '../contracts/protocol';
import type { BerthContext } from '../context';
import { INSTRUCTOR_COOKIE, parseCookies } from '../http/auth';
import { classRoom } from '../live/class-feed';
import { describeIssue, inbound } from './inbound';
import { failureReply } from './replies';
import { socketViewer } from './terminal-events';

/**
 * The instructor's socket: watching a class's grid, watching a student's
 * terminal read-only, and taking it over. Every event checks that the
 * instructor manages the class of the student concerned, every time: a
 * socket that once could watch a class has no standing permission.
 * Every event also re-reads the login from the database, and `recheck`
 * (run by socket-server.ts on a timer and whenever a class changes) closes
 * the socket once its login is gone, and drops the grid, terminals and
 * takeovers of classes the instructor no longer teaches.
 */

/** Student events an instructor's socket is refused: all of them but the two both sides use (input, ack). */
export const STUDENT_ONLY_EVENTS = Object.keys(inbound).filter((e) => !(e in instructorInbound));

type Reply = (r: ReplyBody) => void;

/** Answers every listed event with `forbidden` (a reply rather than silence: the client must not hang). */
export function refuseEvents(socket: Socket, events: readonly string[], who: string): void {
  for (const event of events) {
    socket.on(event, (_payload: unknown, reply?: unknown) => {
      if (typeof reply === 'function') (reply as Reply)({ ok: false, code: 'forbidden', error: `${event} is not for ${who}.` });
    });
  }
}

/** Re-checks an open instructor socket; false once it has been closed. */
export type InstructorRecheck = () => boolean;

const SIGNED_OUT = 'Your sign-in has ended (signed out, expired or password reset). Sign in again.';

/** Returns the socket's re-check, or null when the socket was closed at once (no live login). */
export function registerInstructorSocket(_io: Server, socket: Socket, ctx: BerthContext): InstructorRecheck | null {
  const instructor = (socket.data as { instructor?: InstructorIdentity }).instructor ?? ctx.instructorOf(socket.request);
  if (!instructor) {
    socket.disconnect(true);
    return null;
  }
  let me: InstructorIdentity = instructor;
  const token = parseCookies(socket.request.headers.cookie)[INSTRUCTOR_COOKIE];
  const classes = new Set<string>();
  const terminals = new Map<string, { sessionId: string; terminalId: string }>();
  let invalid = 0;

  /** The same login, still live (a revocation in another process, `berth admin reset-password`, shows here too). */
  const signedIn = (touch: boolean): boolean => {
    const now = ctx.classroom.instructors.identify(token, { touch });
    if (!now || now.loginId !== me.loginId) return false;
    me = now;
    return true;
  };

  const managesSession = (sessionId: string): boolean => {
    const row = ctx.sessions.get(sessionId);
    const cls = row ? ctx.live.classOf(row.studentId) : null;
    return Boolean(cls && ctx.classes.canManage(me, cls));
  };

  /** Lets go of everything in classes this instructor no longer teaches (taken off as a co-teacher). */
  const dropLostClasses = (): void => {
    for (const id of [...classes]) {
      if (ctx.classes.canManage(me, id)) continue;
      classes.delete(id);
      void socket.leave(classRoom(id));
      ctx.live.feed.unwatch(id);
    }
    for (const [key, t] of [...terminals]) {
      if (managesSession(t.sessionId)) continue;
      terminals.delete(key);
      ctx.terminals.detach(t.sessionId, t.terminalId, socket.id);
    }
    // 'disconnect': the instructor was cut off from the terminal, not done with it.
    for (const t of ctx.live.takeovers.bySocket(socket.id)) if (!ctx.classes.canManage(me, t.classId)) ctx.live.endTakeover(t.sessionId, t.terminalId, 'disconnect');
  };

  const recheck: InstructorRecheck = () => {
    if (socket.disconnected) return false;
    if (!signedIn(false)) {
      socket.disconnect(true);
      return false;
    }
    dropLostClasses();
    return true;
  };

  function on<E extends InstructorEvent>(event: E, handler: (payload: z.output<(typeof instructorInbound)[E]>, reply: Reply) => unknown): void {
    socket.on(event as string, (raw: unknown, maybeReply?: unknown) => {
      const reply: Reply = typeof maybeReply === 'function' ? (maybeReply as Reply) : () => undefined;
      // An event is activity: it keeps the login alive, as a request does.
      if (!signedIn(true)) {
        reply({ ok: false, code: 'unauthenticated', error: SIGNED_OUT });
        socket.disconnect(true);
        return;
      }
      const parsed = instructorInbound[event].safeParse(raw);
      if (!parsed.success) {
        reply({ ok: false, code: 'invalid', error: `invalid ${event}: ${describeIssue(parsed.error)}` });
        if (++invalid > 50) socket.disconnect(true);
        return;
      }
      Promise.resolve()
        .then(() => handler(parsed.data as z.output<(typeof instructorInbound)[E]>, reply))
        .catch((err: unknown) => reply(failureReply(err, event)));
    });
  }

  const mayManage = (id: string) => {
    if (!ctx.classes.canManage(me, id)) throw new ClassroomError('not_found', 'There is no such class.');
  };

  /** The session, its student and class, if this instructor manages that class. */
  const studentSession = (id: string) => {
    // The door admits an instructor only for a student of a class they manage, so the class exists.
    const row = ctx.sessionDoor.open(id, { instructor: me }).row;
    return { row, classId: ctx.live.classOf(row.studentId)! };
  };

  on('class:watch', (req, reply) => {
    mayManage(req.classId);
    const fresh = !classes.has(req.classId);
    if (fresh) {
      classes.add(req.classId);
      void socket.join(classRoom(req.classId));
    }
    reply({ ok: true });
    // The snapshot follows the reply (patches can only come after it: both go out on this socket in order).
    const grid = fresh ? ctx.live.feed.watch(req.classId) : ctx.live.feed.snapshot(req.classId);
    if (grid) socket.emit('class:grid', grid);
  });

  on('class:unwatch', (req) => {
    if (!classes.delete(req.classId)) return;
    void socket.leave(classRoom(req.classId));
    ctx.live.feed.unwatch(req.classId);
  });

  on('terminal:watch', async (req, reply) => {
    const session = ctx.sessionDoor.open(req.sessionId, { instructor: me });
    if (session.row.state !== 'running') throw new ClassroomError('conflict', 'That lab is not running.'); // the door's words are the student's
    session.requireRunning();
    const row = session.row;
    const key = `${req.sessionId}/${req.terminalId}`;
    if (terminals.has(key)) ctx.terminals.detach(req.sessionId, req.terminalId, socket.id);
    // owner false: the terminal core never waits for this viewer, and it cannot type or resize.
    const viewer = socketViewer(socket, req.sessionId, req.terminalId, false);
    terminals.set(key, { sessionId: req.sessionId, terminalId: req.terminalId });
    try {
      await session.attachTerminal(req.terminalId, req.machine, viewer, req.from, { cols: req.cols, rows: req.rows });
    } catch (err) {
      terminals.delete(key);
      throw err;
    }
    ctx.audit.record(me.id, 'terminal.watch', { classId: ctx.live.classOf(row.studentId), target: row.studentId, detail: { sessionId: row.id, terminalId: req.terminalId } });
    reply({ ok: true });
  });

  on('terminal:unwatch', (req) => {
    if (!terminals.delete(`${req.sessionId}/${req.terminalId}`)) return;
    ctx.terminals.detach(req.sessionId, req.terminalId, socket.id);
  });

  on('terminal:takeover', (req, reply) => {
    const { row, classId: cls } = studentSession(req.sessionId);
    if (!req.active) {
      ctx.live.endTakeover(req.sessionId, req.terminalId, 'instructor');
      reply({ ok: true });
      return;
    }
    if (ctx.classes.get(cls)?.archived) throw new ClassroomError('conflict', 'This class is archived (read-only).');
    const terminal = ctx.terminals.get(req.sessionId, req.terminalId);
    if (row.state !== 'running' || !terminal?.alive) throw new ClassroomError('conflict', 'That terminal is not open.');
    const r = ctx.live.startTakeover({
      sessionId: row.id,
      terminalId: req.terminalId,
      studentId: row.studentId,
      classId: cls,
      instructorId: me.id,
      instructorName: me.name,
      socketId: socket.id,
      since: Date.now(),
    });
    if (!r.ok) throw new ClassroomError('conflict', `${r.holder.instructorName} is already typing in this terminal.`);
    reply({ ok: true });
  });

  // Only while this socket's takeover of the terminal is active; the takeover itself was authorized.
  on('terminal:input', (req) => {
    if (!ctx.live.takeovers.allows(socket.id, req.sessionId, req.terminalId)) return;
    const terminal = ctx.terminals.get(req.sessionId, req.terminalId);
    if (!terminal?.alive) return;
    // Bounded like the student's input: past the queue's limit it is dropped and this page is told to slow down.
    terminal.takeoverInput(
      { id: socket.id, inputSlow: (slow, dropped) => socket.emit('terminal:slow', { sessionId: req.sessionId, terminalId: req.terminalId, slow, dropped }) },
      req.data,
    );
    ctx.sessions.touch(req.sessionId);
  });

  on('terminal:ack', (req) => {
    if (!terminals.has(`${req.sessionId}/${req.terminalId}`)) return;
    ctx.terminals.get(req.sessionId, req.terminalId)?.ack(socket.id, req.bytes);
  });

  refuseEvents(socket, STUDENT_ONLY_EVENTS, 'instructors');

  socket.conn.on('drain', () => {
    setImmediate(() => {
      for (const t of terminals.values()) ctx.terminals.get(t.sessionId, t.terminalId)?.pump();
    });
  });

  socket.on('disconnect', () => {
    for (const t of ctx.live.takeovers.bySocket(socket.id)) ctx.live.endTakeover(t.sessionId, t.terminalId, 'disconnect');
    for (const t of terminals.values()) ctx.terminals.detach(t.sessionId, t.terminalId, socket.id);
    terminals.clear();
    for (const id of classes) ctx.live.feed.unwatch(id);
    classes.clear();
  });
  return recheck;
}
