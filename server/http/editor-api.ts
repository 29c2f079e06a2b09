import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { BackendState } from '../backend/lab-backend';
import type { BerthContext } from '../context';
import { EDITOR_MAX_BYTES } from '../contracts/editor';
import { EditorError, MachineFiles, machinePath, type EditorErrorCode } from '../editor/machine-files';
import { log } from '../log';

const STATUS: Record<EditorErrorCode, number> = { invalid: 400, not_found: 404, conflict: 409, too_large: 413, binary: 415, not_a_file: 400 };

const saveBody = z.object({
  content: z.string(),
  expectedHash: z.string().regex(/^[0-9a-f]{64}$/).nullable(),
  force: z.boolean().optional(),
});

const opBody = z.discriminatedUnion('op', [
  z.object({ op: z.literal('mkdir'), path: z.string() }),
  z.object({ op: z.literal('rename'), path: z.string(), to: z.string() }),
  z.object({ op: z.literal('delete'), path: z.string() }),
]);

class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The editor beside the terminal: list, read and save files of a student's
 * running machine through the backend's copy API. Only the session's owner
 * gets through (and an instructor while taking over one of its terminals);
 * identity and ownership are settled before the body is parsed.
 */
export function editorRoutes(ctx: BerthContext): express.Router {
  const router = express.Router();
  const files = new MachineFiles(ctx.backend, EDITOR_MAX_BYTES);
  // JSON-escaped content can be up to six bytes a character; leave room for the largest file the editor saves.
  const json = express.json({ limit: EDITOR_MAX_BYTES * 2 + 64 * 1024 });

  /** The session's owner, or an instructor who is taking over one of its terminals right now. */
  const allowed = (req: Request, sessionId: string, ownerId: string): boolean => {
    if (ctx.studentOf(req)?.id === ownerId) return true;
    const instructor = ctx.instructorOf(req);
    return Boolean(instructor && ctx.live.takeovers.forSession(sessionId).some((t) => t.instructorId === instructor.id));
  };

  const running = (req: Request): { state: BackendState; machine: string } => {
    if (!ctx.studentOf(req) && !ctx.instructorOf(req)) throw new Refusal(401, 'unauthenticated', 'Please join first.');
    const row = ctx.sessions.get(String(req.params.id));
    if (!row || !allowed(req, row.id, row.studentId)) throw new Refusal(404, 'not_found', 'That lab session does not exist.');
    if (row.state !== 'running' || !row.backendState) throw new Refusal(409, 'conflict', 'Your lab machines are not running.');
    const machine = String(req.params.machine);
    if (!ctx.catalog.get(row.labId)?.machines.some((m) => m.name === machine)) throw new Refusal(404, 'not_found', 'This lab has no machine by that name.');
    return { state: row.backendState as BackendState, machine };
  };

  const handle =
    (fn: (req: Request, res: Response) => Promise<unknown>) =>
    async (req: Request, res: Response, next: NextFunction): Promise<void> => {
      try {
        const out = await fn(req, res);
        if (!res.headersSent) res.json(out);
      } catch (err) {
        if (err instanceof Refusal) {
          res.status(err.status).json({ error: err.message, code: err.code });
        } else if (err instanceof EditorError) {
          res.status(STATUS[err.code]).json({ error: err.message, code: err.code, ...(err.current ? { current: err.current } : {}) });
        } else if (err instanceof z.ZodError) {
          res.status(400).json({ error: `invalid request: ${err.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}`, code: 'invalid' });
        } else {
          // Engine errors name container ids and host paths: logged here, a sentence for the browser.
          log.warn({ err, sessionId: req.params.id }, 'editor request failed');
          next(err);
        }
      }
    };

  const base = '/sessions/:id/machines/:machine/fs';

  router.get(
    `${base}/list`,
    handle(async (req) => {
      const { state, machine } = running(req);
      return files.list(state, machine, machinePath(req.query.path ?? '/root'));
    }),
  );

  router.get(
    `${base}/file`,
    handle(async (req) => {
      const { state, machine } = running(req);
      return files.read(state, machine, machinePath(req.query.path));
    }),
  );

  router.put(`${base}/file`, (req, res, next) => {
    // Refuse strangers before reading a body of up to two megabytes.
    try {
      running(req);
    } catch (err) {
      if (err instanceof Refusal) {
        res.setHeader('Connection', 'close');
        res.status(err.status).json({ error: err.message, code: err.code });
        return;
      }
      next(err);
      return;
    }
    json(req, res, next);
  }, handle(async (req) => {
    const { state, machine } = running(req);
    const body = saveBody.parse(req.body);
    return files.save(state, machine, machinePath(req.query.path), body.content, body.expectedHash, body.force ?? false);
  }));

  router.post(
    `${base}/ops`,
    express.json({ limit: '16kb' }),
    handle(async (req) => {
      const { state, machine } = running(req);
      const op = opBody.parse(req.body);
      const target = machinePath(op.path);
      if (op.op === 'mkdir') await files.mkdir(state, machine, target);
      else if (op.op === 'rename') await files.rename(state, machine, target, machinePath(op.to, 'to'));
      else await files.remove(state, machine, target);
      return { ok: true };
    }),
  );

  return router;
}
