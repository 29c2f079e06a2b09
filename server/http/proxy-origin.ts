import http from 'node:http';
import type { BerthConfig } from '../config';
import type { BerthContext } from '../context';
import { refuseUpgrade } from './upgrade';

/** The local port the separate proxy origin listens on: BERTH_PROXY_PORT, else the origin's own port. */
export function proxyListenPort(config: BerthConfig): number {
  if (config.proxyPort > 0) return config.proxyPort;
  const url = new URL(config.proxyOrigin);
  return Number(url.port || (url.protocol === 'https:' ? 443 : 80));
}

/**
 * With BERTH_PROXY_ORIGIN, students' ports are served from a second
 * listener: a different origin from Berth's pages, so even a browser that
 * ignored the sandbox could not script Berth or read its storage. It serves
 * `/s/…` and nothing else, answers to Berth's allowed host names only, and
 * gives every upgrade socket an error listener like the main server.
 */
export async function startProxyOrigin(ctx: BerthContext): Promise<http.Server | null> {
  if (!ctx.config.proxyOrigin) return null;
  const ownHost = new URL(ctx.config.proxyOrigin).host;
  // DNS rebinding: the same host names as Berth's, plus the proxy origin's own, for HTTP and upgrades alike.
  const allowed = (host: string | undefined) => ctx.hosts.allows(host) || host === ownHost;
  const server = http.createServer((req, res) => {
    if (!allowed(req.headers.host)) {
      res.writeHead(421, { 'content-type': 'text/plain; charset=utf-8' }).end('This address does not serve lab ports under that host name.');
      return;
    }
    if (!(req.url ?? '').startsWith('/s/')) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Only lab ports are served here.');
      return;
    }
    void ctx.proxy.web(req, res, { viaProxyOrigin: true });
  });
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    if (!allowed(req.headers.host)) return refuseUpgrade(socket, 403, 'Forbidden', 'This address does not serve lab ports under that host name.');
    if (!(req.url ?? '').startsWith('/s/')) return refuseUpgrade(socket, 400, 'Bad Request');
    void ctx.proxy.upgrade(req, socket, head, { viaProxyOrigin: true }); // never rejects: it logs and closes
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(proxyListenPort(ctx.config), ctx.config.host, () => resolve());
  });
  return server;
}
