import { z } from 'zod';

/**
 * Shapes of every classroom request body (server/contracts/classroom.ts),
 * checked before anything reaches the classroom services. Refusals name the
 * field (server/http/errors.ts `parse`).
 */
const name = z.string().trim().min(1).max(80);
const login = z.string().trim().min(2).max(80);
const password = z.string().min(1).max(200);
const epochMs = z.number().int().min(0).max(8.64e15);
const minutes = z.number().int().min(1).max(7 * 24 * 60);

export const setupSchema = z.strictObject({ token: z.string().min(1).max(200), name, login, password });
export const loginSchema = z.strictObject({ login: z.string().min(1).max(200), password });
export const newInstructorSchema = z.strictObject({
  name,
  login,
  password,
  role: z.enum(['owner', 'instructor']),
  classIds: z.array(z.string().min(1).max(40)).max(100).optional(),
});

const limits = z.strictObject({
  maxRunning: z.number().int().min(1).max(10_000).nullable(),
  sessionMinutes: minutes.nullable(),
  idleMinutes: minutes.nullable(),
});

const classFields = {
  name,
  labs: z.array(z.string().min(1).max(100)).max(200),
  seats: z.number().int().min(1).max(10_000),
  startsAt: epochMs.nullable(),
  endsAt: epochMs.nullable(),
  limits,
  allowRejoinByName: z.boolean(),
};

export const classInputSchema = z.strictObject(classFields);
export const classPatchSchema = z.strictObject({
  ...Object.fromEntries(Object.entries(classFields).map(([k, v]) => [k, v.optional()])),
  limits: limits.partial().optional(),
  archived: z.boolean().optional(),
  instructorIds: z.array(z.string().min(1).max(64)).max(50).optional(),
}) as unknown as z.ZodType<Partial<Omit<z.output<typeof classInputSchema>, 'limits'>> & { limits?: Partial<z.output<typeof limits>>; archived?: boolean; instructorIds?: string[] }>;

export const codeActionSchema = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('rotate') }),
  z.strictObject({ action: z.literal('disable') }),
  z.strictObject({ action: z.literal('enable') }),
  z.strictObject({ action: z.literal('expire'), expiresAt: epochMs.nullable() }),
]);

export const oneTimeCodesSchema = z.strictObject({ count: z.number().int().min(1).max(200) });
export const auditQuerySchema = z.object({
  classId: z.string().min(1).max(40).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});
export const joinSchema = z.strictObject({ code: z.string().max(40).optional(), name: z.string().max(200) });
