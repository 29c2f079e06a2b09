import express, { type Request, type Router } from 'express';
import type { JoinInfo, SetupStatus } from '../contracts/classroom';
import type { BerthContext } from '../context';
import { COOKIE, INSTRUCTOR_COOKIE, parseCookies } from './auth';
import { joinSchema, setupSchema } from './classroom-schemas';
import { parse, sendClassroomError } from './errors';
import { cookieOptions } from './instructor-api';

/** The student cookie lasts a school year: returning on the same browser resumes. */
const STUDENT_COOKIE_MS = 180 * 24 * 3600 * 1000;

/**
 * The two ways in: the first instructor's setup (with the token from the
 * log) and a student's join (with a class code, or a name alone in open
 * practice). Mounted at /api.
 */
export function doorApi(ctx: BerthContext): Router {
  const router = express.Router();
  const meta = (req: Request) => ({ address: req.ip ?? '', userAgent: String(req.headers['user-agent'] ?? '') });

  router.get('/setup', (_req, res) => {
    const status: SetupStatus = { needsSetup: ctx.classroom.instructors.needsSetup() };
    res.json(status);
  });

  router.post('/setup', (req, res, next) => {
    Promise.resolve()
      .then(async () => {
        const result = await ctx.classroom.instructors.setup(parse(setupSchema, req.body), meta(req));
        res.cookie(INSTRUCTOR_COOKIE, result.token, cookieOptions(ctx, req, 30 * 24 * 3600 * 1000));
        res.json({ instructor: ctx.classroom.instructors.get(result.instructor.id) });
      })
      .catch((err: unknown) => {
        if (!sendClassroomError(res, err)) next(err);
      });
  });

  router.get('/join', (_req, res) => {
    const info: JoinInfo = { openJoin: ctx.config.classroom.openJoin };
    res.json(info);
  });

  router.post('/join', (req, res, next) => {
    try {
      const body = parse(joinSchema, req.body);
      const currentId = ctx.signer.verify(parseCookies(req.headers.cookie)[COOKIE]);
      const current = currentId ? (ctx.store.classroom.student(currentId) ?? null) : null;
      const { student } = ctx.classroom.joins.join(body, req.ip ?? '', current);
      res.cookie(COOKIE, ctx.signer.sign(student.id), cookieOptions(ctx, req, STUDENT_COOKIE_MS));
      res.json({ student });
    } catch (err) {
      if (!sendClassroomError(res, err)) next(err);
    }
  });

  return router;
}
