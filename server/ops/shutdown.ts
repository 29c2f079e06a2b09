import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Server } from 'socket.io';
import type { NoticeView, StudentClassroomEvents } from '../contracts/classroom';

/**
 * A graceful stop (SIGTERM from `docker compose stop`, an upgrade, a reboot):
 * no new lab starts, every open page told in words, the machines left running
 * for the next start to re-adopt. `berth down` is the other kind (ops/down.ts).
 */

export const RESTART_NOTICE = 'Berth is restarting, your lab is kept. This page reconnects by itself in a moment.';
/** After this long a stop that hangs (an engine that does not answer) exits anyway. */
export const FORCED_EXIT_MS = 10_000;

/** Requests that would start or restart machines: refused once the stop has begun. */
function startsMachines(req: IncomingMessage): boolean {
  if (req.method !== 'POST') return false;
  const url = (req.url ?? '').split('?')[0];
  return url === '/api/sessions' || /^\/api\/sessions\/[^/]+\/(resume|reset)$/.test(url);
}

export function refuseStartsWhile(closing: () => boolean, app: RequestListener): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    if (closing() && startsMachines(req)) {
      res.writeHead(503, { 'Content-Type': 'application/json', 'Retry-After': '30', Connection: 'close' });
      res.end(JSON.stringify({ error: 'Berth is restarting. Your lab is kept; try again in a minute.' }));
      return;
    }
    app(req, res);
  };
}

/** Tells every connected page (students see it as a system notice) before the sockets close. */
export async function tellEveryone(io: Server, text: string): Promise<void> {
  const notice: NoticeView = { id: `system-${Date.now().toString(36)}`, kind: 'system', from: 'Berth', text, at: Date.now() };
  // The student events of classroom.ts ride on the same server as protocol.ts's.
  (io as unknown as Server<Record<string, never>, StudentClassroomEvents>).emit('notice', notice);
  // socket.io writes asynchronously: a moment for the notice to leave before the sockets are cut.
  await new Promise((r) => setTimeout(r, 300));
}
