import type { NextFunction, Request, Response } from 'express';
import type { BerthConfig } from '../config';

/**
 * Berth's own pages may talk to Berth and nothing else: `connect-src 'self'`
 * covers same-origin websockets too (CSP 3), and configured public origins
 * (a reverse proxy's https address) are added with their wss: twin. The old
 * `ws: wss:` let an injected script reach any websocket on the internet.
 */
export function contentSecurityPolicy(allowedOrigins: string[], proxyOrigin = ''): string {
  const connect = ["'self'"];
  for (const origin of allowedOrigins) {
    try {
      const url = new URL(origin);
      connect.push(url.origin, `${url.protocol === 'https:' ? 'wss:' : 'ws:'}//${url.host}`);
    } catch {
      /* config.ts already refuses what is not an origin; nothing to add */
    }
  }
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    `connect-src ${[...new Set(connect)].join(' ')}`,
    `frame-src 'self'${proxyOrigin ? ` ${proxyOrigin}` : ''}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'self'",
  ].join('; ');
}

/** Half a year: long enough to matter, short enough to undo a wrong HTTPS set-up. */
const HSTS = 'max-age=15552000';

/**
 * Headers on everything Berth serves itself. Proxied student pages (/s/) get
 * their own, sandboxing set from the port proxy instead.
 */
export function securityHeaders(config: BerthConfig): (req: Request, res: Response, next: NextFunction) => void {
  const csp = contentSecurityPolicy(config.allowedOrigins, config.proxyOrigin);
  return (req, res, next) => {
    if (req.path.startsWith('/s/')) return next();
    res.setHeader('Content-Security-Policy', csp);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'same-origin');
    // A page Berth opens (a port tab in a new window) cannot reach back into Berth's window.
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    // Only over HTTPS (directly, or X-Forwarded-Proto from a loopback proxy): on plain http a
    // browser ignores it, and sending it on a LAN address would be a promise Berth cannot keep.
    if (req.secure) res.setHeader('Strict-Transport-Security', HSTS);
    next();
  };
}
