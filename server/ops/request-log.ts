import crypto from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { log, requestLog } from '../log';

/** A reverse proxy's id is kept so one request can be followed through both logs; anything odd is replaced. */
const SAFE_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Gives every HTTP request an id (echoed as X-Request-Id, so a student's
 * "it said error" can be found in the log) and one line when it ends. Asset
 * and successful GET lines are debug: a class loading pages would drown the rest.
 */
export function requestLogger() {
  return (req: Request, res: Response, next: NextFunction): void => {
    const given = req.headers['x-request-id'];
    const reqId = typeof given === 'string' && SAFE_ID.test(given) ? given : crypto.randomBytes(6).toString('base64url');
    const reqLog = requestLog(reqId);
    res.locals.log = reqLog;
    res.setHeader('X-Request-Id', reqId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      // The path, never the query: tokens and join codes travel in queries.
      const line = { method: req.method, path: req.path, status: res.statusCode, ms: Math.round(ms * 10) / 10 };
      const message = `${req.method} ${req.path} ${res.statusCode}`;
      if (res.statusCode >= 500) reqLog.error(line, message);
      else if (req.method !== 'GET' || res.statusCode >= 400) reqLog.info(line, message);
      else reqLog.debug(line, message);
    });
    next();
  };
}

/** The request's logger inside a handler; the root logger where the middleware did not run. */
export function logOf(res: Response): Logger {
  return (res.locals.log as Logger | undefined) ?? log;
}
