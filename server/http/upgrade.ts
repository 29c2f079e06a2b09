import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { BerthContext } from '../context';

/**
 * Every websocket upgrade lands here first. A socket without an 'error'
 * listener that is reset by its peer throws in Node and takes the whole
 * process down (every student's shell with it), so the listener is attached
 * before anything else can fail. socket.io owns `/socket.io/` (it runs with
 * `destroyUpgrade: false` so the port proxy can have `/s/`); anything else is
 * answered 400 and closed rather than left open forever.
 */
export function routeUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, ctx: BerthContext): void {
  // A reset mid-handshake is the peer's business, never a reason to crash.
  socket.on('error', () => socket.destroy());
  // DNS rebinding: an unknown Host is refused before socket.io or the port proxy see the upgrade.
  if (!ctx.hosts.allows(req.headers.host)) {
    refuseUpgrade(socket, 403, 'Forbidden', 'This Berth does not answer to that host name.');
    return;
  }
  const url = req.url ?? '';
  if (url.startsWith('/socket.io/')) return; // engine.io's own 'upgrade' listener takes it
  if (url.startsWith('/s/')) {
    void ctx.proxy.upgrade(req, socket, head); // never rejects: it logs and closes
    return;
  }
  refuseUpgrade(socket, 400, 'Bad Request');
}

export function refuseUpgrade(socket: Duplex, status: number, reason: string, body = ''): void {
  if (socket.destroyed) return;
  const head = `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
  socket.end(head + body, () => socket.destroy());
}
