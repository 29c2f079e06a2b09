/** The one socket.io connection of the page, with its connection status. */
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/contracts/protocol';
import type { StudentClassroomRequests } from '../../server/contracts/classroom';

export type BerthSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline';

let socket: BerthSocket | null = null;
let state: ConnectionState = 'connecting';
const listeners = new Set<(s: ConnectionState) => void>();

function setState(s: ConnectionState): void {
  state = s;
  for (const l of listeners) l(s);
}

export function getSocket(): BerthSocket {
  if (socket) return socket;
  const s: BerthSocket = io({
    path: '/socket.io',
    withCredentials: true,
    transports: ['websocket', 'polling'],
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

export function connectionState(): ConnectionState {
  return state;
}

export function onConnectionState(fn: (s: ConnectionState) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Emit with an acknowledgement and a timeout, as a promise. */
export function request<R>(event: keyof ClientToServerEvents | keyof StudentClassroomRequests, payload: unknown, timeoutMs = 15000): Promise<R> {
  const s = getSocket();
  return new Promise<R>((resolve, reject) => {
    (s.timeout(timeoutMs) as unknown as { emit: (e: string, p: unknown, cb: (err: Error | null, r: R) => void) => void }).emit(
      event,
      payload,
      (err, r) => (err ? reject(new Error('Berth did not answer in time. Check your connection.')) : resolve(r)),
    );
  });
}
