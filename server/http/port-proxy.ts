import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import httpProxy from 'http-proxy';
import type { BackendState, LabBackend } from '../backend/lab-backend';
import type { SessionManager } from '../sessions/session-manager';
import { refuseUpgrade } from './upgrade';

const PREFIX = /^\/s\/([a-z0-9]{12})\/([a-z][a-z0-9-]{0,30})\/(\d{1,5})(\/.*)?$/;

export interface ProxyTarget {
  sessionId: string;
  machine: string;
  port: number;
  path: string;
}

export function parseProxyPath(url: string): ProxyTarget | null {
  const [pathname, query] = splitQuery(url);
  const m = PREFIX.exec(pathname);
  if (!m) return null;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return null;
  return { sessionId: m[1], machine: m[2], port, path: (m[4] ?? '/') + (query ? `?${query}` : '') };
}

function splitQuery(url: string): [string, string] {
  const q = url.indexOf('?');
  return q < 0 ? [url, ''] : [url.slice(0, q), url.slice(q + 1)];
}

/**
 * `/s/<session>/<machine>/<port>/…` → that port inside the student's machine,
 * HTTP and WebSocket alike, so "open the page your container serves" needs no
 * wildcard DNS. Only the session's owner gets through.
 */
export class PortProxy {
  private readonly proxy = httpProxy.createProxyServer({ xfwd: true, ws: true, proxyTimeout: 30_000 });

  constructor(
    private readonly sessions: SessionManager,
    private readonly backend: LabBackend,
    private readonly studentOf: (req: IncomingMessage) => string | null,
  ) {
    this.proxy.on('error', (err, _req, res) => {
      if (res && 'writeHead' in res && !res.headersSent) {
        (res as ServerResponse).writeHead(502, { 'content-type': 'text/plain; charset=utf-8' });
        (res as ServerResponse).end(`Nothing answered on that port yet (${err.message}). Is your container running and publishing it?`);
      } else if (res) (res as Duplex).destroy();
    });
  }

  private async resolve(req: IncomingMessage): Promise<{ target: string; path: string } | { status: number; message: string }> {
    const parsed = parseProxyPath(req.url ?? '');
    if (!parsed) return { status: 404, message: 'Not a lab port address.' };
    const student = this.studentOf(req);
    const row = this.sessions.get(parsed.sessionId);
    if (!student || !row || row.studentId !== student) return { status: 403, message: 'That lab belongs to someone else.' };
    if (row.state !== 'running' || !row.backendState) return { status: 409, message: 'Your lab is not running.' };
    try {
      const ep = await this.backend.endpoint(row.backendState as BackendState, parsed.machine, parsed.port);
      return { target: `http://${ep.host}:${ep.port}`, path: parsed.path };
    } catch (err) {
      return { status: 404, message: err instanceof Error ? err.message : String(err) };
    }
  }

  async web(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const r = await this.resolve(req);
    if ('status' in r) {
      res.writeHead(r.status, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(r.message);
      return;
    }
    req.url = r.path;
    this.proxy.web(req, res, { target: r.target });
  }

  async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const r = await this.resolve(req);
    if ('status' in r) {
      refuseUpgrade(socket, r.status, 'Refused', r.message);
      return;
    }
    req.url = r.path;
    this.proxy.ws(req, socket, head, { target: r.target });
  }

  close(): void {
    this.proxy.close();
  }
}
