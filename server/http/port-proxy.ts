import crypto from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import httpProxy from 'http-proxy';
import type { SessionDoor, SessionHandle } from '../sessions/session-door';
import { log } from '../log';
import { SessionError } from '../sessions/session-error';
import { refuseUpgrade } from './upgrade';

const PREFIX = /^\/s\/([a-z0-9]{12})(?:-([A-Za-z0-9_-]{22}))?\/([a-z][a-z0-9-]{0,30})\/(\d{1,5})(\/.*)?$/;

export interface ProxyTarget {
  sessionId: string;
  /** The session's port key, when the address carries one (see proxyKey). */
  key?: string;
  machine: string;
  port: number;
  path: string;
}

export function parseProxyPath(url: string): ProxyTarget | null {
  const [pathname, query] = splitQuery(url);
  const m = PREFIX.exec(pathname);
  if (!m) return null;
  const port = Number(m[4]);
  if (port < 1 || port > 65535) return null;
  const target: ProxyTarget = { sessionId: m[1], machine: m[3], port, path: (m[5] ?? '/') + (query ? `?${query}` : '') };
  if (m[2]) target.key = m[2];
  return target;
}

function splitQuery(url: string): [string, string] {
  const q = url.indexOf('?');
  return q < 0 ? [url, ''] : [url.slice(0, q), url.slice(q + 1)];
}

/**
 * The key in a port address (`/s/<session>-<key>/…`). Proxied pages run
 * sandboxed in an opaque origin, and browsers send no SameSite cookie with
 * the requests such a page makes, so its own scripts and styles could not
 * prove who is asking. The key, derived from the server secret and the
 * session, stands in for the cookie: only the session's owner is handed it.
 */
export function proxyKey(secret: string, sessionId: string): string {
  return crypto.createHmac('sha256', secret).update(`port-proxy:${sessionId}`).digest('base64url').slice(0, 22);
}

/**
 * Student content must not act as Berth. Every proxied response is a
 * sandboxed document in an opaque origin: it cannot read or set Berth's
 * cookies, register a service worker, or script Berth's pages.
 */
export const PROXY_CSP = 'sandbox allow-scripts allow-forms allow-popups allow-modals allow-downloads';

/** Response headers that would let a student's app reach past its own page into Berth's origin. */
const DROPPED_RESPONSE_HEADERS = [
  'set-cookie',
  'set-cookie2',
  'service-worker-allowed',
  'clear-site-data',
  'strict-transport-security',
  'public-key-pins',
  'public-key-pins-report-only',
  'alt-svc',
  'report-to',
  'reporting-endpoints',
  'nel',
  'origin-agent-cluster',
  'access-control-allow-origin',
  'access-control-allow-credentials',
];

/** Makes a proxied response safe to show: the app's headers minus the dangerous ones, plus the sandbox. */
export function sanitizeResponseHeaders(headers: IncomingMessage['headers']): void {
  for (const name of DROPPED_RESPONSE_HEADERS) delete headers[name];
  const theirs = headers['content-security-policy'];
  // A second policy is enforced alongside the app's own: both must allow a thing.
  headers['content-security-policy'] = [...(theirs === undefined ? [] : Array.isArray(theirs) ? theirs : [theirs]), PROXY_CSP] as unknown as string;
  headers['referrer-policy'] = 'no-referrer'; // the port key is in the address
  headers['x-content-type-options'] = 'nosniff';
}

/** Which listener a proxied request came through (server/http/proxy-origin.ts). */
export interface ProxyVia {
  viaProxyOrigin?: boolean;
}

/**
 * `/s/<session>[-<key>]/<machine>/<port>/…` → that port inside the student's
 * machine, HTTP and WebSocket alike, so "open the page your container serves"
 * needs no wildcard DNS. Only the session's owner gets through: by the port
 * key, or by the student cookie where the address has none.
 */
export class PortProxy {
  private readonly proxy = httpProxy.createProxyServer({ xfwd: true, ws: true, proxyTimeout: 30_000 });

  constructor(
    private readonly door: SessionDoor,
    private readonly studentOf: (req: IncomingMessage) => string | null,
    /** Set when BERTH_PROXY_ORIGIN serves ports elsewhere: Berth's own origin then serves none. */
    private readonly separateOrigin = false,
  ) {
    this.proxy.on('error', (_err, _req, res) => {
      // The engine's message names internal addresses; the student needs only the hint.
      if (res && 'writeHead' in res && !res.headersSent) {
        (res as ServerResponse).writeHead(502, { 'content-type': 'text/plain; charset=utf-8' });
        (res as ServerResponse).end('Nothing answered on that port yet. Is your container running and publishing it?');
      } else if (res) (res as Duplex).destroy();
    });
    this.proxy.on('proxyRes', (proxyRes) => sanitizeResponseHeaders(proxyRes.headers));
  }

  /**
   * The session's door decides who gets in (the port key, or the owner's
   * cookie where the address has none). The proxy answers a stranger 403
   * where the REST API says 404: a port address is handed out only to the
   * owner, so its session exists and only the asker is wrong.
   */
  private async resolve(req: IncomingMessage, via: ProxyVia): Promise<{ target: string; path: string } | { status: number; message: string }> {
    if (this.separateOrigin && !via.viaProxyOrigin) return { status: 404, message: 'Lab ports are served from their own address (BERTH_PROXY_ORIGIN).' };
    const parsed = parseProxyPath(req.url ?? '');
    if (!parsed) return { status: 404, message: 'Not a lab port address.' };
    let handle: SessionHandle;
    try {
      const studentId = parsed.key === undefined ? this.studentOf(req) : null;
      handle = this.door.open(parsed.sessionId, parsed.key !== undefined ? { portKey: parsed.key } : studentId ? { student: studentId } : null);
    } catch {
      return { status: 403, message: 'That lab belongs to someone else.' };
    }
    // A service worker registered under /s/ would outlive the page and sit in Berth's origin.
    if (req.headers['service-worker'] !== undefined) return { status: 403, message: 'Service workers are not allowed through the port proxy.' };
    try {
      const ep = await handle.requireRunning().endpoint(parsed.machine, parsed.port);
      return { target: `http://${ep.host}:${ep.port}`, path: parsed.path };
    } catch (err) {
      if (err instanceof SessionError && err.code === 'conflict') return { status: 409, message: 'Your lab is not running.' };
      if (err instanceof SessionError && err.code === 'unavailable') return { status: 503, message: err.message };
      // Anything else (no such machine, a machine the engine lost) reads the same to the student; the engine's words go to the log.
      if (!(err instanceof SessionError)) log.warn({ err, sessionId: parsed.sessionId, machine: parsed.machine }, 'port proxy: no endpoint');
      return { status: 404, message: `This lab has no reachable machine named "${parsed.machine}".` };
    }
  }

  /** Berth's cookies are Berth's: the student's app never sees them. */
  private static strip(req: IncomingMessage, path: string): void {
    req.url = path;
    delete req.headers.cookie;
  }

  async web(req: IncomingMessage, res: ServerResponse, via: ProxyVia = {}): Promise<void> {
    const r = await this.resolve(req, via);
    if ('status' in r) {
      res.writeHead(r.status, { 'content-type': 'text/plain; charset=utf-8', 'content-security-policy': PROXY_CSP });
      res.end(r.message);
      return;
    }
    PortProxy.strip(req, r.path);
    this.proxy.web(req, res, { target: r.target });
  }

  async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, via: ProxyVia = {}): Promise<void> {
    const r = await this.resolve(req, via);
    if ('status' in r) {
      refuseUpgrade(socket, r.status, 'Refused', r.message);
      return;
    }
    PortProxy.strip(req, r.path);
    this.proxy.ws(req, socket, head, { target: r.target });
  }

  close(): void {
    this.proxy.close();
  }
}
