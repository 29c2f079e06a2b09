import type { Server, Socket } from 'socket.io';
import type { BerthContext } from '../context';
import { INSTRUCTOR_EVENTS, type StudentClassroomRequests } from '../contracts/classroom';
import type { ClientToServerEvents, Inbound, InboundEvent, ServerToClientEvents } from '../contracts/protocol';
import type { InstructorIdentity } from '../classroom';
import type { SessionHandle } from '../sessions/session-door';
import { describeIssue, inbound } from './inbound';
import { failureReply } from './replies';
import { registerProgressEvents } from './progress-events';
import { registerSessionEvents } from './session-events';
import { registerTerminalEvents } from './terminal-events';

export interface SocketData {
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

export type BerthSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type BerthServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

type StudentRequests = ClientToServerEvents & StudentClassroomRequests;
/** What the event's contract lets its handler reply (never for events without a reply). */
export type ReplyTo<E extends InboundEvent> = Parameters<NonNullable<Parameters<StudentRequests[E]>[1]>>[0];

/** What an area's handlers get: the socket, the context, and the two things every handler needs. */
export interface StudentSocket {
  socket: BerthSocket;
  ctx: BerthContext;
  /** Validates the payload against its schema, then runs the handler; a failure is answered through replies.ts. */
  on<E extends InboundEvent>(event: E, handler: (payload: Inbound<E>, reply: (r: ReplyTo<E>) => void) => unknown): void;
  /** The student's own session (the door: anyone else's is `not_found`). */
  own(sessionId: string, opts?: { running?: boolean }): SessionHandle;
}

/** A student's socket: every event validated, then handled by its area (sessions, terminals, progress). */
export function registerStudentSocket(socket: BerthSocket, ctx: BerthContext): void {
  // Instructor-only events are refused to students by name, never silently ignored.
  for (const event of INSTRUCTOR_EVENTS.filter((e) => !(e in inbound))) {
    socket.on(event as never, ((_payload: unknown, reply?: unknown) => {
      if (typeof reply === 'function') reply({ ok: false, error: 'Only instructors may do that.', code: 'forbidden' });
    }) as never);
  }
  const student: StudentSocket = {
    socket,
    ctx,
    on(event, handler) {
      socket.on(event as never, ((raw: unknown, maybeReply?: unknown) => {
        const reply = typeof maybeReply === 'function' ? (maybeReply as (r: unknown) => void) : () => undefined;
        const parsed = inbound[event].safeParse(raw);
        if (!parsed.success) {
          // A misbehaving client is told why and, if it insists, dropped.
          socket.data.invalid++;
          reply({ ok: false, error: `invalid ${event}: ${describeIssue(parsed.error)}`, code: 'invalid' });
          if (socket.data.invalid > 50) socket.disconnect(true);
          return;
        }
        Promise.resolve()
          .then(() => handler(parsed.data as Inbound<typeof event>, reply))
          .catch((err: unknown) => reply(failureReply(err, event)));
      }) as never);
    },
    own: (sessionId, opts) => ctx.sessionDoor.open(sessionId, { student: socket.data.studentId }, opts),
  };
  registerSessionEvents(student);
  registerTerminalEvents(student);
  registerProgressEvents(student);
}
