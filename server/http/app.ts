import fs from 'node:fs';
import path from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { StudentIdentity } from '../classroom';
import type { BerthContext } from '../context';
import { logOf, requestLogger } from '../ops/request-log';
import { metricsRoutes } from '../ops/metrics-routes';
import { projectRoot } from '../paths';
import { SessionError } from '../sessions/session-manager';
import { originAllowed } from './auth';
import { doorApi } from './door-api';
import { sendError, sendFailure } from './errors';
import { instructorApi } from './instructor-api';
import { classLiveApi, noticeApi } from './class-live-api';
import { fileTransferRoutes } from './file-transfer';
import { securityHeaders } from './security-headers';
import { editorRoutes } from './editor-api';

type Handler = (req: Request, res: Response, student: StudentIdentity) => unknown;

export function createApp(ctx: BerthContext): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(requestLogger());
  // DNS rebinding: a name Berth does not answer to is refused before anything else (proxy included).
  app.use((req, res, next) => {
    if (ctx.hosts.allows(req.headers.host)) return next();
    sendError(res, 'misdirected', 'This Berth does not answer to that host name. Ask the administrator to add it to BERTH_ALLOWED_HOSTS.');
  });
  app.use(metricsRoutes(ctx.metrics, (req) => ctx.instructorOf(req)));

  app.use(securityHeaders(ctx.config)); // proxied pages (/s/) get the port proxy's sandboxing headers instead

  app.use('/s', (req, res) => {
    req.url = req.originalUrl;
    void ctx.proxy.web(req, res);
  });

  // State-changing requests from other sites are refused, like the socket handshake.
  app.use('/api', (req, res, next) => {
    if (req.method !== 'GET' && !originAllowed(req.headers.origin, ctx.hosts, ctx.config.allowedOrigins)) {
      sendError(res, 'forbidden', 'Requests from other sites are not allowed.');
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
      sendError(res, 'unauthenticated', 'Please join first: enter your name.');
      return;
    }
    try {
      const out = await handler(req, res, student);
      if (out !== undefined && !res.headersSent) res.json(out);
    } catch (err) {
      next(err);
    }
  };

  // Strangers learn only that Berth is up: no versions, no isolation profile.
  app.get('/api/health', (_req, res) => {
    res.json({ ok: true });
  });

  app.use('/api', doorApi(ctx));
  // Behind one guard: every instructor route, and the live view's when it is mounted here.
  app.use('/api/instructor', instructorApi(ctx, [classLiveApi(ctx)]));
  app.use('/api', noticeApi(ctx));

  app.get('/api/me', withStudent((_req, _res, student) => ({ student })));

  app.get(
    '/api/labs',
    withStudent((_req, _res, student) => {
      // A class's students see the class's labs, in its order; open practice sees the whole course.
      const cls = ctx.classes.get(student.classId);
      if (!cls || cls.openPractice) return { labs: ctx.views.labSummaries(student.id), course: ctx.catalog.course };
      const order = new Map(cls.labs.map((id, i) => [id, i]));
      const labs = ctx.views
        .labSummaries(student.id)
        .filter((l) => order.has(l.id))
        .map((l) => ({ ...l, section: cls.name, order: order.get(l.id)! }))
        .sort((a, b) => a.order - b.order);
      return { labs, course: { title: cls.name, sections: [{ title: cls.name, labs: cls.labs }] } };
    }),
  );

  const ownSession = (id: string, studentId: string) => ctx.sessionDoor.open(id, { student: studentId }).row;

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
          throw new SessionError('not_found', `Unknown action "${req.params.action}".`);
      }
    }),
  );

  app.use('/api', (_req, res) => {
    sendError(res, 'not_found', 'No such API.');
  });

  const clientDir = path.join(projectRoot(), 'dist', 'client');
  app.use(express.static(clientDir, { index: false, maxAge: '1h' }));
  app.get(/^\/(?!api\/|s\/|socket\.io\/).*/, (_req, res) => {
    const index = path.join(clientDir, 'index.html');
    if (fs.existsSync(index)) res.sendFile(index, { headers: { 'Cache-Control': 'no-cache' } });
    else res.status(503).type('text').send('The Berth client is not built: run `npm run build`.');
  });

  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    sendFailure(res, err, (e) => logOf(res).error({ err: e }, 'request failed'));
  });
  return app;
}
