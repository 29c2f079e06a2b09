/**
 * The instructor's side of the page's one socket.io connection. The server
 * decides the role from the cookie at the handshake, so after signing in the
 * socket reconnects to carry the new cookie.
 */
import type { ErrorCode, InstructorClientToServer, InstructorServerToClient } from '../../../server/contracts/classroom';
import { emitWithAck, getSocket } from '../socket';
import { errorText } from '../error-text';

type Listener<K extends keyof InstructorServerToClient> = InstructorServerToClient[K];

export function onInstructor<K extends keyof InstructorServerToClient>(event: K, fn: Listener<K>): () => void {
  const s = getSocket();
  // socket.io's typed `on` cannot follow an event name that is itself a type parameter.
  (s.on as (e: K, f: Listener<K>) => void)(event, fn);
  return () => (s.off as (e: K, f: Listener<K>) => void)(event, fn);
}

export interface Ack {
  ok: boolean;
  error?: string;
  code?: ErrorCode;
}

/** Emit an instructor event with an acknowledgement (15 s timeout); a timeout is a failed Ack, not a throw. */
export function askInstructor<K extends keyof InstructorClientToServer>(event: K, payload: Parameters<InstructorClientToServer[K]>[0]): Promise<Ack> {
  return emitWithAck<Ack>(event, payload).catch((e: unknown) => ({ ok: false, error: errorText(e) }));
}

export function tellInstructor<K extends keyof InstructorClientToServer>(event: K, payload: Parameters<InstructorClientToServer[K]>[0]): void {
  const s = getSocket();
  if (s.connected) (s.emit as (e: K, p: Parameters<InstructorClientToServer[K]>[0]) => void)(event, payload);
}

/** After login or logout: a fresh handshake with the current cookies. */
export function reconnectSocket(): void {
  const s = getSocket();
  if (s.connected || s.active) s.disconnect();
  s.connect();
}
