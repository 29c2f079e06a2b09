import crypto from 'node:crypto';
import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import httpProxy from 'http-proxy';
import { log } from '../log';
import { INTERNAL_ERROR, refusalOf } from '../public-error';
import type { SessionDoor } from '../sessions/session-door';
import { HTTP_STATUS } from './errors';
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

export interface PortProxyOptions {
  /** Set when BERTH_PROXY_ORIGIN serves ports elsewhere: Berth's own origin then serves none. */
  separateOrigin?: boolean;
  /** BERTH_PROXY_SOCKETS_PER_STUDENT: websockets through the proxy open at once per student; 0 = no cap. */
  socketsPerStudent?: number;
  /** BERTH_PROXY_HANDSHAKE_SECONDS: how long the student's app has to answer a websocket handshake. */
  handshakeMs?: number;
}

type Resolved = { target: string; path: string; studentId: string } | { status: number; message: string };

const NOTHING_ANSWERED = 'Nothing answered on that port yet. Is your container running and publishing it?';

/**
 * `/s/<session>[-<key>]/<machine>/<port>/…` → that port inside the student's
 * machine, HTTP and WebSocket alike, so "open the page your container serves"
 * needs no wildcard DNS. Only the session's owner gets through: by the port
 * key, or by the student cookie where the address has none.
 */
export class PortProxy {
  private readonly proxy = httpProxy.createProxyServer({ xfwd: true, ws: true, proxyTimeout: 30_000 });
  private readonly separateOrigin: boolean;
  private readonly socketsPerStudent: number;
  private readonly handshakeMs: number;
  /** Open websockets (and handshakes under way) per student. */
  private readonly sockets = new Map<string, number>();
  /** Upgrade sockets the student's app has started answering (a 101 or any reply): an error can no longer be written as a status. */
  private readonly replied = new WeakSet<Duplex>();
  /** Upgrade sockets Berth has answered itself (the handshake timed out). */
  private readonly answered = new WeakSet<Duplex>();

  constructor(
    private readonly door: SessionDoor,
    private readonly studentOf: (req: IncomingMessage) => string | null,
    options: PortProxyOptions = {},
  ) {
    this.separateOrigin = options.separateOrigin ?? false;
    this.socketsPerStudent = options.socketsPerStudent ?? 0;
    this.handshakeMs = options.handshakeMs ?? 10_000;
    this.proxy.on('error', (err, _req, res) => {
      // Nothing listening, a reset, a timeout: the student's app's business, kept at debug for whoever chases one.
      log.debug({ err }, 'port proxy: the app did not answer');
      // The engine's message names internal addresses; the student needs only the hint.
      if (res && 'writeHead' in res) {
        const web = res as ServerResponse;
        if (!web.headersSent) web.writeHead(502, { 'content-type': 'text/plain; charset=utf-8', 'content-security-policy': PROXY_CSP }).end(NOTHING_ANSWERED);
        else web.destroy();
        return;
      }
      const socket = res as Duplex | undefined;
      if (!socket || this.answered.has(socket)) return;
      if (this.replied.has(socket)) socket.destroy();
      else refuseUpgrade(socket, 502, 'Bad Gateway', NOTHING_ANSWERED);
    });
    this.proxy.on('proxyRes', (proxyRes) => sanitizeResponseHeaders(proxyRes.headers));
    this.proxy.on('proxyReqWs', (proxyReq, _req, socket) => this.watchHandshake(proxyReq, socket));
  }

  /**
   * http-proxy writes a websocket reply from the app's headers as they came
   * (a 101, or any other reply piped raw) and never emits 'proxyRes' for it,
   * so the same headers are dropped here, before its own listeners run. The
   * handshake gets a deadline (http-proxy's proxyTimeout covers HTTP only),
   * and the two sockets of a live websocket close together.
   */
  private watchHandshake(proxyReq: ClientRequest, socket: Duplex): void {
    const timer = setTimeout(() => {
      if (this.replied.has(socket)) {
        socket.destroy();
      } else {
        this.answered.add(socket);
        refuseUpgrade(socket, 504, 'Gateway Timeout', 'Your app did not answer the websocket handshake in time.');
      }
      proxyReq.destroy();
    }, this.handshakeMs);
    timer.unref();
    const settled = () => clearTimeout(timer);
    proxyReq.prependListener('response', (res: IncomingMessage) => {
      this.replied.add(socket);
      sanitizeResponseHeaders(res.headers);
      // A reply that is not an upgrade is piped to the browser: it keeps the deadline until its body ends.
      res.once('end', settled);
    });
    proxyReq.prependListener('upgrade', (res: IncomingMessage, proxySocket: Duplex) => {
      settled();
      this.replied.add(socket);
      sanitizeResponseHeaders(res.headers);
      proxySocket.once('close', () => socket.destroy());
      socket.once('close', () => proxySocket.destroy());
    });
    proxyReq.once('close', () => {
      if (!this.replied.has(socket)) settled();
    });
    socket.once('close', () => {
      settled();
      proxyReq.destroy();
    });
  }

  /**
   * The session's door decides who gets in (the port key, or the owner's
   * cookie where the address has none); its refusals are answered with the
   * status every other route gives them (server/http/errors.ts), so a stranger
   * learns only that there is no such session.
   */
  private async resolve(req: IncomingMessage, via: ProxyVia): Promise<Resolved> {
    if (this.separateOrigin && !via.viaProxyOrigin) return { status: 404, message: 'Lab ports are served from their own address (BERTH_PROXY_ORIGIN).' };
    const parsed = parseProxyPath(req.url ?? '');
    if (!parsed) return { status: 404, message: 'Not a lab port address.' };
    // A service worker registered under /s/ would outlive the page and sit in Berth's origin.
    if (req.headers['service-worker'] !== undefined) return { status: 403, message: 'Service workers are not allowed through the port proxy.' };
    try {
      const studentId = parsed.key === undefined ? this.studentOf(req) : null;
      const handle = this.door.open(parsed.sessionId, parsed.key !== undefined ? { portKey: parsed.key } : studentId ? { student: studentId } : null);
      const ep = await handle.requireRunning().endpoint(parsed.machine, parsed.port);
      return { target: `http://${ep.host}:${ep.port}`, path: parsed.path, studentId: handle.studentId };
    } catch (err) {
      const r = refusalOf(err);
      // The engine's words (a machine it lost, an address) go to the log, never to the page.
      if (r.internal) log.warn({ err, sessionId: parsed.sessionId, machine: parsed.machine }, 'port proxy: no endpoint');
      return { status: HTTP_STATUS[r.code], message: r.message };
    }
  }

  /** Berth's cookies are Berth's: the student's app never sees them. */
  private static strip(req: IncomingMessage, path: string): void {
    req.url = path;
    delete req.headers.cookie;
  }

  /** Never rejects: a failure is logged and answered 500. */
  async web(req: IncomingMessage, res: ServerResponse, via: ProxyVia = {}): Promise<void> {
    try {
      const r = await this.resolve(req, via);
      if ('status' in r) {
        res.writeHead(r.status, { 'content-type': 'text/plain; charset=utf-8', 'content-security-policy': PROXY_CSP });
        res.end(r.message);
        return;
      }
      PortProxy.strip(req, r.path);
      this.proxy.web(req, res, { target: r.target });
    } catch (err) {
      log.error({ err, url: req.url }, 'port proxy: request failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8', 'content-security-policy': PROXY_CSP }).end(INTERNAL_ERROR);
      else res.destroy();
    }
  }

  /** Never rejects: a failure is logged and the socket closed. */
  async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, via: ProxyVia = {}): Promise<void> {
    try {
      const r = await this.resolve(req, via);
      if ('status' in r) {
        refuseUpgrade(socket, r.status, 'Refused', r.message);
        return;
      }
      if (socket.destroyed) return; // reset while the door was asked
      if (!this.takeSocket(r.studentId, socket)) {
        refuseUpgrade(socket, 429, 'Too Many Requests', `Too many websockets open to your lab's ports at once (at most ${this.socketsPerStudent}). Close some and try again.`);
        return;
      }
      PortProxy.strip(req, r.path);
      this.proxy.ws(req, socket, head, { target: r.target });
    } catch (err) {
      log.error({ err, url: req.url }, 'port proxy: upgrade failed');
      socket.destroy();
    }
  }

  /** Counts the socket against its student's cap until it closes; false when the cap is reached. */
  private takeSocket(studentId: string, socket: Duplex): boolean {
    const open = this.sockets.get(studentId) ?? 0;
    if (this.socketsPerStudent > 0 && open >= this.socketsPerStudent) return false;
    this.sockets.set(studentId, open + 1);
    socket.once('close', () => {
      const left = (this.sockets.get(studentId) ?? 1) - 1;
      if (left > 0) this.sockets.set(studentId, left);
      else this.sockets.delete(studentId);
    });
    return true;
  }

  /** Websockets open through the proxy for a student (tests, metrics). */
  openSockets(studentId: string): number {
    return this.sockets.get(studentId) ?? 0;
  }

  close(): void {
    this.proxy.close();
  }
}
