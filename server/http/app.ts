import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { BerthContext } from '../context';
import { logOf, requestLogger } from '../ops/request-log';
import { projectRoot } from '../paths';
import { SessionError } from '../sessions/session-manager';
import { COOKIE, originAllowed } from './auth';
import { fileTransferRoutes } from './file-transfer';
import { editorRoutes } from './editor-api';

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self' ws: wss:",
  "frame-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'self'",
].join('; ');

type Handler = (req: Request, res: Response, student: { id: string; name: string }) => unknown;

export function createApp(ctx: BerthContext): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(requestLogger());

  app.use((req, res, next) => {
    if (req.path.startsWith('/s/')) return next(); // proxied pages keep their own headers
    res.setHeader('Content-Security-Policy', CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'same-origin');
    next();
  });

  app.use('/s', (req, res) => {
    req.url = req.originalUrl;
    void ctx.proxy.web(req, res);
  });

  // State-changing requests from other sites are refused, like the socket handshake.
  app.use('/api', (req, res, next) => {
    if (req.method !== 'GET' && !originAllowed(req.headers.origin, req.headers.host, ctx.config.allowedOrigins)) {
      res.status(403).json({ error: 'Requests from other sites are not allowed.' });
      return;
    }
    next();
  });
  app.use('/api', fileTransferRoutes(ctx, (req) => ctx.studentOf(req)));
  app.use('/api', editorRoutes(ctx));
  app.use('/api', express.json({ limit: '64kb' }));

  const withStudent = (handler: Handler) => async (req: Request, res: Response, next: NextFunction) => {
    const student = ctx.studentOf(req);
    if (!student) {
      res.status(401).json({ error: 'Please join first: enter your name.' });
      return;
    }
    try {
      const out = await handler(req, res, student);
      if (out !== undefined && !res.headersSent) res.json(out);
    } catch (err) {
      next(err);
    }
  };

  app.get('/api/health', (_req, res) => {
    res.json({ ok: true, labs: ctx.catalog.all().length, isolation: ctx.profile });
  });

  app.post('/api/join', (req, res) => {
    const name = typeof req.body?.name === 'string' ? req.body.name.trim() : '';
    if (name.length < 1 || name.length > 60 || /[\u0000-\u001f<>]/.test(name)) {
      res.status(400).json({ error: 'Please enter a name of 1 to 60 characters, without < or >.' });
      return;
    }
    const id = crypto.randomBytes(9).toString('base64url');
    ctx.store.addStudent(id, name);
    res.cookie(COOKIE, ctx.signer.sign(id), { httpOnly: true, sameSite: 'lax', maxAge: 180 * 24 * 3600 * 1000, path: '/' });
    res.json({ student: { id, name } });
  });

  app.get('/api/me', withStudent((_req, _res, student) => ({ student })));

  app.get(
    '/api/labs',
    withStudent((_req, _res, student) => ({ labs: ctx.views.labSummaries(student.id), course: ctx.catalog.course })),
  );

  const ownSession = (id: string, studentId: string) => {
    const row = ctx.sessions.get(id);
    if (!row || row.studentId !== studentId) throw new SessionError('That lab session does not exist.', 404);
    return row;
  };

  app.post(
    '/api/sessions',
    withStudent(async (req, _res, student) => {
      const labId = typeof req.body?.labId === 'string' ? req.body.labId : '';
      const ticket = await ctx.sessions.start(student.id, labId);
      return { session: ctx.views.session(ticket.session, student.name) };
    }),
  );

  app.get(
    '/api/sessions/:id',
    withStudent((req, _res, student) => ({ session: ctx.views.session(ownSession(String(req.params.id), student.id), student.name) })),
  );

  app.post(
    '/api/sessions/:id/:action',
    withStudent(async (req, _res, student) => {
      const row = ownSession(String(req.params.id), student.id);
      switch (req.params.action) {
        case 'stop':
          return { session: ctx.views.session(await ctx.sessions.stop(row.id), student.name) };
        case 'resume':
          return { session: ctx.views.session(await ctx.sessions.resume(row.id), student.name) };
        case 'extend':
          return { session: ctx.views.session(ctx.sessions.extend(row.id), student.name) };
        case 'reset': {
          const ticket = await ctx.sessions.reset(row.id);
          return { session: ctx.views.session(ticket.session, student.name) };
        }
        default:
          throw new SessionError(`Unknown action "${req.params.action}".`, 404);
      }
    }),
  );

  app.use('/api', (_req, res) => {
    res.status(404).json({ error: 'No such API.' });
  });

  const clientDir = path.join(projectRoot(), 'dist', 'client');
  app.use(express.static(clientDir, { index: false, maxAge: '1h' }));
  app.get(/^\/(?!api\/|s\/|socket\.io\/).*/, (_req, res) => {
    const index = path.join(clientDir, 'index.html');
    if (fs.existsSync(index)) res.sendFile(index, { headers: { 'Cache-Control': 'no-cache' } });
    else res.status(503).type('text').send('The Berth client is not built: run `npm run build`.');
  });

  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof SessionError) {
      res.status(err.status).json({ error: err.message, ...err.extra });
      return;
    }
    const status = (err as { status?: number }).status;
    if (status && status >= 400 && status < 500) {
      res.status(status).json({ error: 'That request could not be read.' });
      return;
    }
    logOf(res).error({ err }, 'request failed');
    res.status(500).json({ error: 'Something went wrong on the Berth server. Try again.' });
  });
  return app;
}
