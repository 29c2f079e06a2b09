/**
 * The instructor's side of the page's one socket.io connection. The server
 * decides the role from the cookie at the handshake, so after signing in the
 * socket reconnects to carry the new cookie.
 */
import type { ErrorCode, InstructorClientToServer, InstructorServerToClient } from '../../../server/contracts/classroom';
import { getSocket } from '../socket';

type Listener<K extends keyof InstructorServerToClient> = InstructorServerToClient[K];

export function onInstructor<K extends keyof InstructorServerToClient>(event: K, fn: Listener<K>): () => void {
  const s = getSocket() as unknown as { on(e: string, f: unknown): void; off(e: string, f: unknown): void };
  s.on(event, fn);
  return () => s.off(event, fn);
}

export interface Ack {
  ok: boolean;
  error?: string;
  code?: ErrorCode;
}

/** Emit an instructor event with an acknowledgement (15 s timeout). */
export function askInstructor<K extends keyof InstructorClientToServer>(event: K, payload: Parameters<InstructorClientToServer[K]>[0]): Promise<Ack> {
  const s = getSocket();
  return new Promise<Ack>((resolve) => {
    (s.timeout(15000) as unknown as { emit: (e: string, p: unknown, cb: (err: Error | null, r: Ack) => void) => void }).emit(event, payload, (err, r) =>
      resolve(err ? { ok: false, error: 'Berth did not answer in time. Check your connection.' } : r),
    );
  });
}

export function tellInstructor<K extends keyof InstructorClientToServer>(event: K, payload: Parameters<InstructorClientToServer[K]>[0]): void {
  const s = getSocket() as unknown as { connected: boolean; emit(e: string, p: unknown): void };
  if (s.connected) s.emit(event, payload);
}

/** After login or logout: a fresh handshake with the current cookies. */
export function reconnectSocket(): void {
  const s = getSocket();
  if (s.connected || s.active) s.disconnect();
  s.connect();
}
