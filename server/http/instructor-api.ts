import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import QRCode from 'qrcode';
import type { InstructorIdentity } from '../classroom';
import { endLabsOfArchivedClass } from '../classroom/archive';
import { ClassroomError } from '../classroom/errors';
import type { BerthContext } from '../context';
import { INSTRUCTOR_COOKIE } from './auth';
import {
  auditQuerySchema,
  classInputSchema,
  classPatchSchema,
  codeActionSchema,
  loginSchema,
  newInstructorSchema,
  oneTimeCodesSchema,
} from './classroom-schemas';
import { parse, sendClassroomError, sendError } from './errors';

/** What a handler gets: the instructor is already checked, and for `/classes/:id` so is the class. */
export interface InstructorCall {
  ctx: BerthContext;
  req: Request;
  res: Response;
  instructor: InstructorIdentity;
}

export interface InstructorRoute {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** Below /api/instructor. */
  path: string;
  handle(call: InstructorCall): unknown;
}

/** The instructor the guard found (for routers mounted behind it, such as the live view's). */
export function instructorFrom(res: Response): InstructorIdentity {
  return res.locals.instructor as InstructorIdentity;
}

/** Where browsers reach Berth: BERTH_PUBLIC_URL, else the (allowlisted) address this request came in on. */
export function baseUrl(ctx: BerthContext, req: Request): string {
  return ctx.config.classroom.publicUrl || `${req.protocol}://${req.headers.host ?? 'localhost'}`;
}

/** Secure whenever Berth is reached over HTTPS, directly or behind a loopback proxy that says so. */
export function cookieOptions(ctx: BerthContext, req: Request, maxAgeMs?: number): express.CookieOptions {
  const secure = req.secure || ctx.config.classroom.publicUrl.startsWith('https:');
  return { httpOnly: true, sameSite: 'lax', secure, path: '/', ...(maxAgeMs ? { maxAge: maxAgeMs } : {}) };
}

const param = (req: Request, name: string) => String(req.params[name] ?? '');

/**
 * Every route below /api/instructor except login, in one table: the guard in
 * `instructorApi` runs before all of them, and tests enumerate this table.
 */
export const INSTRUCTOR_ROUTES: InstructorRoute[] = [
  {
    method: 'post',
    path: '/logout',
    handle({ ctx, req, res, instructor }) {
      ctx.classroom.instructors.revoke(instructor.id, [instructor.loginId]);
      ctx.audit.record(instructor.id, 'logout', { target: instructor.loginId });
      res.clearCookie(INSTRUCTOR_COOKIE, cookieOptions(ctx, req));
      return { ok: true };
    },
  },
  {
    method: 'post',
    path: '/logout-all',
    handle({ ctx, req, res, instructor }) {
      const revoked = ctx.classroom.instructors.revoke(instructor.id);
      ctx.audit.record(instructor.id, 'logout-all', { detail: { sessions: revoked.length } });
      res.clearCookie(INSTRUCTOR_COOKIE, cookieOptions(ctx, req));
      return { ok: true };
    },
  },
  { method: 'get', path: '/me', handle: ({ ctx, instructor }) => ({ instructor: ctx.classroom.instructors.get(instructor.id) }) },
  { method: 'get', path: '/logins', handle: ({ ctx, instructor }) => ({ logins: ctx.classroom.instructors.logins(instructor) }) },
  {
    method: 'delete',
    path: '/logins/:loginId',
    handle({ ctx, req, instructor }) {
      const loginId = param(req, 'loginId');
      if (!ctx.classroom.instructors.revoke(instructor.id, [loginId]).length) throw new ClassroomError('not_found', 'No such login session.');
      ctx.audit.record(instructor.id, 'login.revoke', { target: loginId });
      return { ok: true };
    },
  },
  { method: 'get', path: '/instructors', handle: ({ ctx }) => ({ instructors: ctx.classroom.instructors.list() }) },
  {
    method: 'post',
    path: '/instructors',
    async handle({ ctx, req, instructor }) {
      return { instructor: await ctx.classroom.instructors.create(instructor, parse(newInstructorSchema, req.body)) };
    },
  },
  {
    method: 'get',
    path: '/audit',
    handle({ ctx, req, instructor }) {
      const q = parse(auditQuerySchema, req.query);
      const classIds = instructor.role === 'owner' ? undefined : ctx.classes.listFor(instructor).map((c) => c.id);
      return { entries: ctx.audit.list({ classId: q.classId, classIds, limit: q.limit }) };
    },
  },
  { method: 'get', path: '/catalog', handle: ({ ctx }) => ctx.classes.catalogForInstructors() },
  {
    method: 'get',
    path: '/classes',
    handle: ({ ctx, instructor }) => ({ classes: ctx.classes.listFor(instructor).map((c) => ctx.classes.summary(c)) }),
  },
  {
    method: 'post',
    path: '/classes',
    handle({ ctx, req, instructor }) {
      const cls = ctx.classes.create(instructor, parse(classInputSchema, req.body));
      ctx.audit.record(instructor.id, 'class.create', { classId: cls.id, detail: { name: cls.name, labs: cls.labs, seats: cls.seats } });
      return { class: ctx.classes.view(cls, baseUrl(ctx, req)) };
    },
  },
  {
    method: 'get',
    path: '/classes/:id',
    handle: ({ ctx, req, instructor }) => ({ class: ctx.classes.view(ctx.classes.mustManage(instructor, param(req, 'id')), baseUrl(ctx, req)) }),
  },
  {
    method: 'patch',
    path: '/classes/:id',
    async handle({ ctx, req, instructor }) {
      const patch = parse(classPatchSchema, req.body);
      const cls = ctx.classes.update(instructor, param(req, 'id'), patch);
      ctx.audit.record(instructor.id, 'class.update', { classId: cls.id, detail: patch as Record<string, unknown> });
      // Archived means read-only: the labs still open end now, so their results stay as they are.
      const endedLabs = patch.archived === true ? await endLabsOfArchivedClass({ store: ctx.store, rows: ctx.store.classroom, sessions: ctx.sessions }, cls.id) : 0;
      return { class: ctx.classes.view(ctx.classes.get(cls.id)!, baseUrl(ctx, req)), ...(patch.archived === true ? { endedLabs } : {}) };
    },
  },
  {
    method: 'post',
    path: '/classes/:id/code',
    handle({ ctx, req, instructor }) {
      const action = parse(codeActionSchema, req.body);
      const cls = ctx.classes.codeAction(instructor, param(req, 'id'), action);
      ctx.audit.record(instructor.id, `code.${action.action}`, { classId: cls.id, detail: action });
      return { class: ctx.classes.view(cls, baseUrl(ctx, req)) };
    },
  },
  {
    method: 'post',
    path: '/classes/:id/one-time-codes',
    handle({ ctx, req, instructor }) {
      const { count } = parse(oneTimeCodesSchema, req.body);
      const codes = ctx.classes.oneTimeCodes(instructor, param(req, 'id'), count);
      ctx.audit.record(instructor.id, 'code.one-time', { classId: param(req, 'id'), detail: { count } });
      return { codes };
    },
  },
  {
    method: 'get',
    path: '/classes/:id/roster',
    handle: ({ ctx, req, instructor }) => ({ roster: ctx.classes.roster(ctx.classes.mustManage(instructor, param(req, 'id')).id) }),
  },
  {
    method: 'post',
    path: '/classes/:id/students/:studentId/readmit',
    handle({ ctx, req, instructor }) {
      const cls = ctx.classes.mustManage(instructor, param(req, 'id'));
      ctx.classes.readmit(cls.id, param(req, 'studentId'));
      ctx.audit.record(instructor.id, 'student.readmit', { classId: cls.id, target: param(req, 'studentId') });
      return { ok: true };
    },
  },
  {
    method: 'get',
    path: '/classes/:id/qr.svg',
    async handle({ ctx, req, res, instructor }) {
      const cls = ctx.classes.mustManage(instructor, param(req, 'id'));
      const url = ctx.classes.view(cls, baseUrl(ctx, req)).joinCode.joinUrl;
      if (!url) throw new ClassroomError('not_found', 'This class has no join code.');
      const svg = await QRCode.toString(url, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
      res.type('image/svg+xml').setHeader('Cache-Control', 'no-store');
      res.send(svg);
      return undefined;
    },
  },
];

type Handler = (req: Request, res: Response, next: NextFunction) => void;

function run(ctx: BerthContext, handle: (call: InstructorCall) => unknown): Handler {
  return (req, res, next) => {
    Promise.resolve()
      .then(() => handle({ ctx, req, res, instructor: instructorFrom(res) }))
      .then((out) => {
        if (out !== undefined && !res.headersSent) res.json(out);
      })
      .catch((err: unknown) => {
        if (!sendClassroomError(res, err)) next(err);
      });
  };
}

/**
 * /api/instructor: login, then one guard for everything else (students and
 * strangers get 401 on every route, existing or not), then the class check
 * for every `/classes/:id…` path, then the routes. `more` are routers mounted
 * behind the same checks (the live view).
 */
export function instructorApi(ctx: BerthContext, more: Router[] = []): Router {
  const router = express.Router();

  router.post('/login', (req, res, next) => {
    Promise.resolve()
      .then(async () => {
        const body = parse(loginSchema, req.body);
        const result = await ctx.classroom.instructors.login(body.login, body.password, {
          address: req.ip ?? '',
          userAgent: String(req.headers['user-agent'] ?? ''),
        });
        res.cookie(INSTRUCTOR_COOKIE, result.token, cookieOptions(ctx, req, 30 * 24 * 3600 * 1000));
        res.json({ instructor: ctx.classroom.instructors.get(result.instructor.id) });
      })
      .catch((err: unknown) => {
        if (!sendClassroomError(res, err)) next(err);
      });
  });

  router.use((req, res, next) => {
    const instructor = ctx.instructorOf(req);
    if (!instructor) {
      sendError(res, 'unauthenticated', 'Please log in as an instructor.');
      return;
    }
    res.locals.instructor = instructor;
    next();
  });

  // One class check for every class path, whoever's router serves it: not yours looks like not there.
  router.use('/classes/:id', (req, res, next) => {
    if (!ctx.classes.canManage(instructorFrom(res), param(req, 'id'))) {
      sendError(res, 'not_found', 'There is no such class.');
      return;
    }
    next();
  });

  for (const route of INSTRUCTOR_ROUTES) router[route.method](route.path, run(ctx, route.handle));
  for (const r of more) router.use(r);

  router.use((_req, res) => sendError(res, 'not_found', 'No such instructor API.'));
  return router;
}
