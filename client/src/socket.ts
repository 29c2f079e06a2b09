/** The one socket.io connection of the page, with its connection status. */
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/contracts/protocol';
import type { InstructorClientToServer, InstructorServerToClient, StudentClassroomEvents, StudentClassroomRequests } from '../../server/contracts/classroom';
import { TEXT_CHUNKS_AUTH } from '../../server/contracts/terminal-data';
import { isInstructorRoute, parseRoute } from './logic/routes';

/**
 * The page has one connection whatever its role (the server picks the role from
 * the cookies and the side of Berth the page shows), so its type carries every
 * event of both: a listener or an emit of the wrong shape does not compile, with
 * no cast at the call site.
 */
export type BerthSocket = Socket<ServerToClientEvents & StudentClassroomEvents & InstructorServerToClient, ClientToServerEvents & StudentClassroomRequests & InstructorClientToServer>;
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline';

/** Which side of Berth the page shows. */
type PageRole = 'student' | 'instructor';

let socket: BerthSocket | null = null;
/** The role the socket's handshake asks for, or asked for last. */
let socketRole: PageRole = 'student';

/**
 * A browser can hold both cookies (a teacher who tried a lab as a student), and
 * the server takes the student's unless the handshake names the role: the page
 * names the side it shows.
 */
function pageRole(): PageRole {
  return isInstructorRoute(parseRoute(location.hash)) ? 'instructor' : 'student';
}

let state: ConnectionState = 'connecting';
const listeners = new Set<(s: ConnectionState) => void>();

function setState(s: ConnectionState): void {
  state = s;
  for (const l of listeners) l(s);
}

export function getSocket(): BerthSocket {
  if (socket) {
    // Moved between the students' and the instructors' pages: the role is given at the handshake.
    if (socket.active && socketRole !== pageRole()) {
      socketRole = pageRole();
      socket.disconnect().connect();
    }
    return socket;
  }
  socketRole = pageRole();
  const s: BerthSocket = io({
    path: '/socket.io',
    withCredentials: true,
    transports: ['websocket', 'polling'],
    auth: (send) => {
      socketRole = pageRole();
      send({ ...TEXT_CHUNKS_AUTH, role: socketRole });
    },
    reconnectionDelay: 500,
    reconnectionDelayMax: 4000,
  });
  s.on('connect', () => setState('connected'));
  s.on('disconnect', (reason) => setState(reason === 'io client disconnect' ? 'offline' : 'reconnecting'));
  s.on('connect_error', () => setState(s.active ? 'reconnecting' : 'offline'));
  window.addEventListener('offline', () => setState('offline'));
  window.addEventListener('online', () => {
    if (!s.connected) s.connect();
  });
  socket = s;
  return s;
}

/** The socket, connecting again if a handshake was refused (socket.io does not retry those by itself). */
export function connectedSocket(): BerthSocket {
  const s = getSocket();
  if (!s.active) s.connect();
  return s;
}

export function connectionState(): ConnectionState {
  return state;
}

export function onConnectionState(fn: (s: ConnectionState) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Everything a student's page may ask the server, from protocol.ts and the classroom additions. */
type StudentRequests = ClientToServerEvents & StudentClassroomRequests;

/** What an event's handler replies; `never` for events that take no reply. */
type ReplyOf<F> = F extends (...args: infer A) => void ? (A extends [unknown, (reply: infer R) => void] ? R : never) : never;

/** The events that are answered: the ones `request` can send. */
export type RequestEvent = { [K in keyof StudentRequests]: [ReplyOf<StudentRequests[K]>] extends [never] ? never : K }[keyof StudentRequests];
export type RequestPayload<K extends RequestEvent> = Parameters<StudentRequests[K]>[0];
export type RequestReply<K extends RequestEvent> = ReplyOf<StudentRequests[K]>;

/**
 * Emit with an acknowledgement and a timeout, as a promise. Payload and reply
 * types come from the event's contract, so a caller cannot name the wrong ones.
 */
export function request<K extends RequestEvent>(event: K, payload: RequestPayload<K>, timeoutMs = 15000): Promise<RequestReply<K>> {
  return emitWithAck<RequestReply<K>>(event, payload, timeoutMs);
}

/** Thrown by `emitWithAck` when the server does not answer within the timeout. */
export class NoAnswerError extends Error {
  constructor() {
    super('Berth did not answer in time. Check your connection.');
  }
}

/**
 * The one emit-with-acknowledgement of the page. Untyped on purpose: the typed
 * doors are `request` (student events) and `askInstructor`
 * (instructor/instructor-socket.ts), because socket.io's typed emit cannot
 * follow an event name that is itself a type parameter.
 */
export function emitWithAck<R>(event: string, payload: unknown, timeoutMs = 15000): Promise<R> {
  const s = getSocket() as unknown as { timeout(ms: number): { emit(e: string, p: unknown, cb: (err: Error | null, r: R) => void): void } };
  return new Promise<R>((resolve, reject) => {
    s.timeout(timeoutMs).emit(event, payload, (err, r) => (err ? reject(new NoAnswerError()) : resolve(r)));
  });
}
