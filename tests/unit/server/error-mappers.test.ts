import type { Response } from 'express';
import { z } from 'zod';
import { MachineUnavailable } from '../../../server/backend/lab-backend';
import { ClassroomError } from '../../../server/classroom/errors';
import { EditorError } from '../../../server/editor/machine-files';
import { HTTP_STATUS, sendFailure } from '../../../server/http/errors';
import { INTERNAL_ERROR } from '../../../server/public-error';
import { failureReply } from '../../../server/realtime/replies';
import { SessionError } from '../../../server/sessions/session-error';

/** The two mappers from an error to an answer (HTTP and socket) agree, and neither sends an internal message. */
function answer(err: unknown): { status: number; body: Record<string, unknown>; logged: unknown[] } {
  const out = { status: 0, body: {} as Record<string, unknown>, logged: [] as unknown[] };
  const res = {
    setHeader: () => res,
    status(code: number) {
      out.status = code;
      return res;
    },
    json(body: Record<string, unknown>) {
      out.body = body;
      return res;
    },
  };
  sendFailure(res as unknown as Response, err, (e) => out.logged.push(e));
  return out;
}

const engine = new Error('(HTTP code 500) server error - container 3f2a… /var/lib/docker/overlay2 is busy');

test.each([
  [new SessionError('not_found', 'That lab session does not exist.'), 404, 'not_found'],
  [new SessionError('conflict', 'Your lab machines are not running.', { activeSessionId: 'abc' }), 409, 'conflict'],
  [new SessionError('too_large', 'The file is larger than 1 MB.'), 413, 'too_large'],
  [new SessionError('length_required', 'Send the file with a Content-Length header.'), 411, 'length_required'],
  [new SessionError('rate_limited', 'Too many file transfers at once.'), 429, 'rate_limited'],
  [new SessionError('unavailable', 'Berth is full right now.'), 503, 'unavailable'],
  [new ClassroomError('forbidden', 'Wrong code.'), 403, 'forbidden'],
  [new EditorError('binary', 'This is not a text file.'), 415, 'binary'],
  [new MachineUnavailable('box', 'it stopped'), 409, 'conflict'],
])('%s: HTTP %i and the socket say the same code and the same words', (err, status, code) => {
  const http = answer(err);
  expect([http.status, http.body.code, http.body.error, http.logged]).toEqual([status, code, err.message, []]);
  expect(failureReply(err, 'test:event')).toEqual({ ok: false, error: err.message, code });
  expect(HTTP_STATUS[code as keyof typeof HTTP_STATUS]).toBe(status);
});

test('extra fields of a refusal travel with it over HTTP', () => {
  expect(answer(new SessionError('conflict', 'You already have a lab open.', { activeSessionId: 'abc' })).body).toEqual({ error: 'You already have a lab open.', code: 'conflict', activeSessionId: 'abc' });
});

test('an engine error is logged and answered with neither its words nor its status, on both channels', () => {
  const http = answer(engine);
  expect(http).toEqual({ status: 500, body: { error: INTERNAL_ERROR, code: 'internal' }, logged: [engine] });
  expect(failureReply(engine, 'terminal:attach')).toEqual({ ok: false, error: INTERNAL_ERROR, code: 'internal' });
});

test('a body express could not read keeps its 4xx; a zod refusal names the field', () => {
  expect(answer(Object.assign(new Error('unexpected token in JSON at position 3'), { status: 400 }))).toMatchObject({ status: 400, body: { error: 'That request could not be read.', code: 'invalid' }, logged: [] });
  expect(answer(Object.assign(new Error('request entity too large'), { status: 413 })).body.code).toBe('too_large');
  const zod = z.object({ path: z.string() }).safeParse({ path: 3 });
  expect(answer(zod.error).body).toEqual({ error: expect.stringMatching(/^invalid request: path: /), code: 'invalid' });
});
