import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import type { ClassRecord, InstructorIdentity, StudentIdentity } from '../classroom';
import { ClassroomError } from '../classroom/errors';
import { RESULT_LAB_COLUMNS, RESULT_STEP_COLUMNS, type StudentActionReply } from '../contracts/classroom';
import type { BerthContext } from '../context';
import { toCsv } from '../live/csv';
import { refusalOf } from '../live/error-codes';
import { runStudentAction } from '../live/student-actions';
import { logOf } from '../ops/request-log';
import { parse, sendError } from './errors';

/**
 * The live view's REST side: the grid, actions on students, messages,
 * results and analytics for instructors; notices for students. Every
 * instructor route checks the instructor and that they manage the class
 * before anything else, and the tables below are what the authorization
 * test walks, so a new route cannot be left out of it.
 */

/** Instructor routes, under /api/instructor (behind its guard: `instructorApi(ctx, [classLiveApi(ctx)])`). */
export const LIVE_ROUTES = [
  { method: 'GET', path: '/classes/:id/grid' },
  { method: 'POST', path: '/classes/:id/actions' },
  { method: 'POST', path: '/classes/:id/broadcast' },
  { method: 'POST', path: '/classes/:id/students/:studentId/message' },
  { method: 'GET', path: '/classes/:id/results.json' },
  { method: 'GET', path: '/classes/:id/results.csv' },
  { method: 'GET', path: '/classes/:id/results-labs.csv' },
  { method: 'GET', path: '/classes/:id/analytics' },
] as const;

/** Student routes, under /api. */
export const NOTICE_ROUTES = [
  { method: 'GET', path: '/notices' },
  { method: 'POST', path: '/notices/:id/dismiss' },
] as const;

const studentIds = z.array(z.string().regex(/^[A-Za-z0-9_-]{1,40}$/)).min(1).max(500);
export const actionSchema = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('reset'), studentIds }),
  z.strictObject({ action: z.literal('extend'), studentIds }),
  z.strictObject({ action: z.literal('pause'), studentIds }),
  z.strictObject({ action: z.literal('resume'), studentIds }),
  z.strictObject({ action: z.literal('end'), studentIds }),
  z.strictObject({ action: z.literal('readmit'), studentIds }),
  z.strictObject({ action: z.literal('reveal_hint'), studentIds }),
  z.strictObject({
    action: z.literal('mark_done'),
    studentIds,
    labId: z.string().min(1).max(100),
    step: z.number().int().min(0).max(1000),
    reason: z.string().trim().min(1).max(500),
  }),
]);
export const textSchema = z.strictObject({ text: z.string().trim().min(1).max(2000) });

type Route = (req: Request, res: Response, who: InstructorIdentity, cls: ClassRecord) => unknown;

function filename(cls: ClassRecord, suffix: string): string {
  const slug = cls.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || cls.id;
  return `${slug}-${suffix}`;
}

export function classLiveApi(ctx: BerthContext): express.Router {
  const router = express.Router();

  const fail = (res: Response, err: unknown) => {
    const r = refusalOf(err);
    if (r.internal) logOf(res).error({ err }, 'live view request failed');
    sendError(res, r.code, r.message);
  };

  const forClass = (route: Route) => async (req: Request, res: Response) => {
    const who = ctx.instructorOf(req);
    if (!who) return sendError(res, 'unauthenticated', 'Sign in as an instructor first.');
    const id = String(req.params.id);
    // As everywhere below /api/instructor: a class that is not yours looks like no class at all.
    if (!ctx.classes.canManage(who, id)) return sendError(res, 'not_found', 'There is no such class.');
    try {
      const out = await route(req, res, who, ctx.classes.get(id)!);
      if (out !== undefined && !res.headersSent) res.json(out);
    } catch (err) {
      fail(res, err);
    }
  };

  /** Archived classes stay readable and exportable; nothing may change in them. */
  const writable = (cls: ClassRecord) => {
    if (cls.archived) throw new ClassroomError('conflict', 'This class is archived (read-only).');
  };

  const csv = (res: Response, name: string, body: string, at: number) => {
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${name}"`);
    // Times "to now" in the file were measured at this instant.
    res.setHeader('X-Generated-At', String(at));
    res.send(body);
  };

  const handlers: Record<(typeof LIVE_ROUTES)[number]['path'], Route> = {
    '/classes/:id/grid': (_req, _res, _who, cls) => ctx.live.grid(cls.id),
    '/classes/:id/actions': async (req, _res, who, cls) => {
      writable(cls);
      const body = parse(actionSchema, req.body);
      const { studentIds: ids, ...action } = body;
      const reply: StudentActionReply = { results: [] };
      for (const studentId of ids) {
        try {
          const outcome = await runStudentAction({ ...ctx, steps: ctx.live.steps }, who, cls.id, studentId, action);
          ctx.audit.record(who.id, `student.${action.action}`, { classId: cls.id, target: studentId, detail: outcome.detail });
          if (outcome.tell) ctx.live.notify(cls.id, studentId, 'system', who.name, outcome.tell);
          // Some actions change what no domain event reports (re-admission): redraw the row either way.
          ctx.live.touch(studentId);
          reply.results.push({ studentId, ok: true });
        } catch (err) {
          const r = refusalOf(err);
          if (r.internal) logOf(_res).error({ err, studentId }, `action ${action.action} failed`);
          ctx.audit.record(who.id, `student.${action.action}`, { classId: cls.id, target: studentId, detail: { refused: r.code, error: r.message } });
          reply.results.push({ studentId, ok: false, error: r.message });
        }
      }
      return reply;
    },
    '/classes/:id/broadcast': (req, _res, who, cls) => {
      writable(cls);
      const { text } = parse(textSchema, req.body);
      const notice = ctx.live.notify(cls.id, null, 'broadcast', who.name, text);
      ctx.audit.record(who.id, 'notice.broadcast', { classId: cls.id, target: null, detail: { noticeId: notice.id, text } });
      return { notice };
    },
    '/classes/:id/students/:studentId/message': (req, _res, who, cls) => {
      writable(cls);
      const studentId = String(req.params.studentId);
      if (!ctx.classes.students(cls.id).some((s) => s.id === studentId)) throw new ClassroomError('not_found', 'That student is not in this class.');
      const { text } = parse(textSchema, req.body);
      const notice = ctx.live.notify(cls.id, studentId, 'message', who.name, text);
      ctx.audit.record(who.id, 'notice.message', { classId: cls.id, target: studentId, detail: { noticeId: notice.id, text } });
      return { notice };
    },
    '/classes/:id/results.json': (_req, _res, _who, cls) => ctx.live.results(cls.id),
    '/classes/:id/results.csv': (_req, res, _who, cls) => {
      const results = ctx.live.results(cls.id)!;
      csv(res, filename(cls, 'results.csv'), toCsv(RESULT_STEP_COLUMNS, results.steps), results.generatedAt);
    },
    '/classes/:id/results-labs.csv': (_req, res, _who, cls) => {
      const results = ctx.live.results(cls.id)!;
      csv(res, filename(cls, 'results-labs.csv'), toCsv(RESULT_LAB_COLUMNS, results.labs), results.generatedAt);
    },
    '/classes/:id/analytics': (_req, _res, _who, cls) => ctx.live.analytics(cls.id),
  };

  for (const route of LIVE_ROUTES) {
    const handler = forClass(handlers[route.path]);
    if (route.method === 'GET') router.get(route.path, handler);
    else router.post(route.path, handler);
  }
  return router;
}

/** The student's side: notices kept until dismissed (mounted under /api). */
export function noticeApi(ctx: BerthContext): express.Router {
  const router = express.Router();

  const forStudent = (route: (req: Request, student: StudentIdentity) => unknown) => (req: Request, res: Response) => {
    const student = ctx.studentOf(req);
    if (!student) return sendError(res, 'unauthenticated', 'Please join first: enter your name.');
    try {
      res.json(route(req, student));
    } catch (err) {
      const r = refusalOf(err);
      if (r.internal) logOf(res).error({ err }, 'notice request failed');
      sendError(res, r.code, r.message);
    }
  };

  router.get(
    '/notices',
    forStudent((_req, s) => ({ notices: ctx.live.notices.pendingFor(s.id, [s.classId]) })),
  );
  router.post(
    '/notices/:id/dismiss',
    forStudent((req, s) => {
      if (!ctx.live.notices.dismiss(String(req.params.id), s.id, [s.classId])) throw new ClassroomError('not_found', 'There is no such notice for you.');
      return { ok: true };
    }),
  );
  return router;
}
