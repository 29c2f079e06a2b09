import { z } from 'zod';

/**
 * Every payload a browser may send, checked before it reaches the domain.
 * Ids are shaped like the ones Berth hands out, so nothing odd reaches a
 * container name or a shell.
 */
const sessionId = z.string().regex(/^[a-z0-9]{12}$/);
const terminalId = z.string().regex(/^[a-z][a-z0-9-]{0,30}(?::\d{1,2})?$/);
const machine = z.string().regex(/^[a-z][a-z0-9-]{0,30}$/);
const cols = z.number().int().min(10).max(500);
const rows = z.number().int().min(4).max(200);
const step = z.number().int().min(0).max(1000);

export const inbound = {
  'session:watch': z.strictObject({ sessionId }),
  'terminal:attach': z.strictObject({ sessionId, machine, terminalId, from: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER), cols, rows }),
  // The real limit is BERTH_MAX_MESSAGE, in bytes, checked by the handler; socket.io's maxHttpBufferSize drops anything far larger unparsed.
  'terminal:input': z.strictObject({ sessionId, terminalId, data: z.string().min(1).max(256 * 1024 * 1024) }),
  'terminal:resize': z.strictObject({ sessionId, terminalId, cols, rows }),
  'terminal:ack': z.strictObject({ sessionId, terminalId, bytes: z.number().int().min(1).max(1 << 30) }),
  'terminal:detach': z.strictObject({ sessionId, terminalId }),
  'terminal:close': z.strictObject({ sessionId, terminalId }),
  'check:run': z.strictObject({ sessionId, step }),
  'step:goto': z.strictObject({ sessionId, step }),
  'hint:reveal': z.strictObject({ sessionId, step }),
  'solution:reveal': z.strictObject({ sessionId, step }),
  'quiz:answer': z.strictObject({ sessionId, step, quizId: z.string().min(1).max(100), choices: z.array(z.number().int().min(0).max(50)).max(50) }),
  'takeover:end': z.strictObject({ sessionId, terminalId }),
} as const;

export type InboundEvent = keyof typeof inbound;

export function describeIssue(err: z.ZodError): string {
  const first = err.issues[0];
  return first ? `${first.path.join('.') || 'payload'}: ${first.message}` : 'invalid payload';
}
