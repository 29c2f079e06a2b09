import type { z } from 'zod';

// The schemas live with the types they define (server/contracts/protocol.ts); re-exported for the socket code and its tests.
export { inbound, type InboundEvent } from '../contracts/protocol';

export function describeIssue(err: z.ZodError): string {
  const first = err.issues[0];
  return first ? `${first.path.join('.') || 'payload'}: ${first.message}` : 'invalid payload';
}
