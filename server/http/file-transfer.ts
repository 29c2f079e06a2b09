import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import express, { type Request, type Response } from 'express';
import type { BackendState } from '../backend/lab-backend';
import type { BerthContext } from '../context';
import { SessionError } from '../sessions/session-manager';

const MAX_UPLOAD = 50 * 1024 * 1024;
const SAFE_NAME = /^[A-Za-z0-9._ -]{1,120}$/;

function absolutePath(raw: unknown, field: string): string {
  const value = typeof raw === 'string' ? raw.trim() : '';
  if (!value.startsWith('/') || value.includes('\0') || value.length > 1024) {
    throw new SessionError(`${field} must be an absolute path in the machine, such as /root/notes.txt.`, 400);
  }
  return path.posix.normalize(value);
}

/**
 * Files in and out of a student's machine from the browser (Play with Docker
 * #560): upload one file into a folder, download a file or folder as a tar.
 */
export function fileTransferRoutes(ctx: BerthContext, student: (req: Request) => { id: string } | null): express.Router {
  const router = express.Router();

  const running = (req: Request) => {
    const who = student(req);
    const row = ctx.sessions.get(String(req.params.id));
    if (!who || !row || row.studentId !== who.id) throw new SessionError('That lab session does not exist.', 404);
    if (row.state !== 'running' || !row.backendState) throw new SessionError('Your lab machines are not running.', 409);
    return row.backendState as BackendState;
  };

  router.get('/sessions/:id/machines/:machine/files', async (req: Request, res: Response, next) => {
    try {
      const state = running(req);
      const file = absolutePath(req.query.path, 'path');
      const tar = await ctx.backend.copyOut(state, String(req.params.machine), file);
      const base = path.posix.basename(file) || 'root';
      res.setHeader('Content-Type', 'application/x-tar');
      res.setHeader('Content-Disposition', `attachment; filename="${base.replace(/[^A-Za-z0-9._-]/g, '_')}.tar"`);
      tar.on('error', (err) => next(err));
      tar.pipe(res);
    } catch (err) {
      const status = (err as { statusCode?: number }).statusCode;
      next(status === 404 ? new SessionError('There is no such file or folder in the machine.', 404) : err);
    }
  });

  router.post(
    '/sessions/:id/machines/:machine/files',
    express.raw({ type: () => true, limit: MAX_UPLOAD }),
    async (req: Request, res: Response, next) => {
      let tmp: string | null = null;
      try {
        const state = running(req);
        const dir = absolutePath(req.query.dir ?? '/root', 'dir');
        const name = typeof req.query.name === 'string' ? req.query.name : '';
        if (!SAFE_NAME.test(name) || name === '.' || name === '..') {
          throw new SessionError('The file name may use letters, digits, spaces, dots, dashes and underscores (up to 120).', 400);
        }
        if (!Buffer.isBuffer(req.body)) throw new SessionError('Send the file itself as the request body.', 400);
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-upload-'));
        fs.writeFileSync(path.join(tmp, name), req.body, { mode: 0o644 });
        await ctx.backend.copyIn(state, String(req.params.machine), tmp, dir);
        res.json({ ok: true, path: path.posix.join(dir, name), bytes: req.body.length });
      } catch (err) {
        next(err);
      } finally {
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
      }
    },
  );
  return router;
}
