import path from 'node:path';
import { Transform } from 'node:stream';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { BerthContext } from '../context';
import { logOf } from '../ops/request-log';
import type { SessionHandle } from '../sessions/session-door';
import { SessionError } from '../sessions/session-error';

const SAFE_NAME = /^[A-Za-z0-9._ -]{1,120}$/;

function absolutePath(raw: unknown, field: string): string {
  const value = typeof raw === 'string' ? raw.trim() : '';
  if (!value.startsWith('/') || value.includes('\0') || value.length > 1024) {
    throw new SessionError('invalid', `${field} must be an absolute path in the machine, such as /root/notes.txt.`);
  }
  return path.posix.normalize(value);
}

/**
 * How many transfers run at once, per student and across the class: each one
 * holds an engine connection and a browser connection, so a student clicking
 * "upload" in a loop must not starve everyone else's terminals.
 */
class TransferSlots {
  private readonly byStudent = new Map<string, number>();
  private running = 0;

  constructor(
    private readonly perStudent: number,
    private readonly total: number,
  ) {}

  /** A release function, or null when a cap is reached. Release is idempotent. */
  take(studentId: string): (() => void) | null {
    const mine = this.byStudent.get(studentId) ?? 0;
    if (mine >= this.perStudent || this.running >= this.total) return null;
    this.byStudent.set(studentId, mine + 1);
    this.running++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running--;
      const left = (this.byStudent.get(studentId) ?? 1) - 1;
      if (left > 0) this.byStudent.set(studentId, left);
      else this.byStudent.delete(studentId);
    };
  }
}

/** Passes bytes through until `cap`, then fails: a download past its size is cut, never sent whole. */
function capped(cap: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > cap) done(new Error('download larger than the cap'));
      else done(null, chunk);
    },
  });
}

/**
 * Files in and out of a student's machine from the browser (Play with Docker
 * #560): upload one file into a folder, download a file or folder as a tar.
 * Identity and ownership are settled before a byte of the body is read, and
 * the body streams into the machine with its size known up front.
 */
export function fileTransferRoutes(ctx: BerthContext, student: (req: Request) => { id: string } | null): express.Router {
  const router = express.Router();
  const limits = ctx.config.transfers;
  const slots = new TransferSlots(Math.max(1, limits.perStudent), Math.max(1, limits.total));

  const running = (req: Request): SessionHandle => {
    const who = student(req);
    return ctx.sessionDoor.open(String(req.params.id), who ? { student: who.id } : null, { running: true });
  };

  const slot = (studentId: string): (() => void) => {
    const release = slots.take(studentId);
    if (!release) throw new SessionError('rate_limited', 'Too many file transfers at once: wait for one to finish and try again.');
    return release;
  };

  /** Engine errors name host paths and container ids: the browser gets a sentence instead. */
  const readable = (err: unknown, action: string, req: Request, res: Response): unknown => {
    if (err instanceof SessionError) return err;
    logOf(res).warn({ err, sessionId: req.params.id, machine: req.params.machine }, `file transfer: could not be ${action}`);
    return new SessionError('invalid', `The file could not be ${action} (is the folder a folder, and the machine still running?).`);
  };

  router.get('/sessions/:id/machines/:machine/files', async (req: Request, res: Response, next: NextFunction) => {
    let release: (() => void) | null = null;
    try {
      const session = running(req);
      const file = absolutePath(req.query.path, 'path');
      release = slot(session.studentId);
      res.on('close', release);
      const tar = await session.copyOut(String(req.params.machine), file);
      const base = path.posix.basename(file) || 'root';
      res.setHeader('Content-Type', 'application/x-tar');
      res.setHeader('Content-Disposition', `attachment; filename="${base.replace(/[^A-Za-z0-9._-]/g, '_')}.tar"`);
      const limit = capped(limits.maxDownloadBytes);
      // Once bytes are on the wire no error page can follow: cutting the connection is what
      // tells the browser the download failed, instead of a short tar that looks complete.
      const cut = () => {
        tar.destroy();
        res.destroy();
      };
      tar.on('error', cut);
      limit.on('error', cut);
      res.on('close', () => tar.destroy());
      tar.pipe(limit).pipe(res);
    } catch (err) {
      release?.();
      next(readable(err, 'read', req, res));
    }
  });

  router.post('/sessions/:id/machines/:machine/files', async (req: Request, res: Response, next: NextFunction) => {
    let release: (() => void) | null = null;
    try {
      const session = running(req);
      const dir = absolutePath(req.query.dir ?? '/root', 'dir');
      const name = typeof req.query.name === 'string' ? req.query.name : '';
      if (!SAFE_NAME.test(name) || name === '.' || name === '..') {
        throw new SessionError('invalid', 'The file name may use letters, digits, spaces, dots, dashes and underscores (up to 120).');
      }
      const declared = req.headers['content-length'];
      if (declared === undefined || !/^\d+$/.test(declared)) {
        throw new SessionError('length_required', 'Send the file with a Content-Length header (browsers do this for a file).');
      }
      const size = Number(declared);
      if (size > limits.maxUploadBytes) {
        throw new SessionError('too_large', `The file is larger than the ${Math.floor(limits.maxUploadBytes / 1024 / 1024)} MB an upload may be.`);
      }
      release = slot(session.studentId);
      await session.writeFile(String(req.params.machine), dir, name, req, size);
      res.json({ ok: true, path: path.posix.join(dir, name), bytes: size });
    } catch (err) {
      // The body was not (or not wholly) read: close the connection rather than drain it.
      if (!req.complete) res.setHeader('Connection', 'close');
      if (req.destroyed) return;
      next(readable(err, 'written', req, res));
    } finally {
      release?.();
    }
  });
  return router;
}
