import type { IncomingMessage } from 'node:http';
import express, { type Request, type Response } from 'express';
import type { BerthMetrics } from '../metrics';

/**
 * /metrics (Prometheus text) for a scraper on the Berth host itself or a
 * signed-in instructor; GET /api/instructor/metrics-summary for the admin page:
 *   { at, engineUp, sessions: {state: n}, queued, sockets, warmPool, rssBytes,
 *     checks: {passed, failed}, machineStartP50, firstPromptP50 (s, last hour, null before any),
 *     engineErrors, series: [{ t, running, queued, sockets, rssBytes }] one a minute, last hour }
 * Students and strangers get neither: the numbers describe the whole class.
 */

/**
 * A caller on this machine, not a visitor relayed by a reverse proxy on it
 * (which connects from loopback too, but says whom it forwards).
 */
export function isLoopbackCaller(req: IncomingMessage): boolean {
  const address = req.socket.remoteAddress ?? '';
  const loopback = address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
  return loopback && !req.headers['x-forwarded-for'] && !req.headers.forwarded && !req.headers['x-real-ip'];
}

export function metricsRoutes(metrics: BerthMetrics, instructorOf: (req: IncomingMessage) => unknown): express.Router {
  const router = express.Router();
  router.get('/metrics', async (req: Request, res: Response) => {
    if (!isLoopbackCaller(req) && !instructorOf(req)) {
      res.status(403).type('text').send('Metrics are served to callers on the Berth host and to signed-in instructors.\n');
      return;
    }
    res.type(metrics.registry.contentType).send(await metrics.text());
  });
  router.get('/api/instructor/metrics-summary', (req: Request, res: Response) => {
    if (!instructorOf(req)) {
      // The same answer as the /api/instructor guard gives (the route sits beside it, not behind it).
      res.status(401).json({ error: 'Please sign in as an instructor.', code: 'unauthenticated' });
      return;
    }
    res.setHeader('Cache-Control', 'no-store');
    res.json(metrics.summary());
  });
  return router;
}
