import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import type { BackendState } from '../backend/lab-backend';
import type { BerthContext } from '../context';
import { EDITOR_MAX_BYTES } from '../contracts/editor';
import { ClassroomError } from '../classroom/errors';
import { MachineFiles, machinePath } from '../editor/machine-files';
import { log } from '../log';
import type { Caller } from '../sessions/session-door';
import { sendFailure } from './errors';

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

  /**
   * The session's owner, or an instructor who teaches the class and is taking
   * over one of its terminals right now; the machine must be one of the lab's.
   */
  const running = (req: Request): { state: BackendState; machine: string } => {
    const student = ctx.studentOf(req);
    const instructor = ctx.instructorOf(req);
    if (!student && !instructor) throw new ClassroomError('unauthenticated', 'Please join first.');
    const who: Caller[] = [student && { student: student.id }, instructor && { instructor, takingOver: true }];
    const session = ctx.sessionDoor.open(String(req.params.id), who, { running: true });
    return { state: session.state, machine: session.machine(String(req.params.machine)) };
  };

  const handle =
    (fn: (req: Request, res: Response) => Promise<unknown>) =>
    async (req: Request, res: Response): Promise<void> => {
      try {
        const out = await fn(req, res);
        if (!res.headersSent) res.json(out);
      } catch (err) {
        // Engine errors name container ids and host paths: logged here, a sentence for the browser.
        sendFailure(res, err, (e) => log.warn({ err: e, sessionId: req.params.id }, 'editor request failed'));
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
      res.setHeader('Connection', 'close');
      sendFailure(res, err, (e) => log.warn({ err: e, sessionId: req.params.id }, 'editor request failed'));
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
