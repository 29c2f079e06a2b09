import type { ErrorCode } from '../contracts/classroom';
import { refusalOf as publicRefusal, type PublicCode } from '../public-error';

// Codes of the session layer and the editor in the classroom contract's words (it has none of their own for these).
const NARROWER: Record<Exclude<PublicCode, ErrorCode>, ErrorCode> = { too_large: 'invalid', length_required: 'invalid', binary: 'invalid', not_a_file: 'invalid' };
const isClassroomCode = (code: PublicCode): code is ErrorCode => !(code in NARROWER);

/**
 * The live view's answers (server/http/class-live-api.ts) in the classroom
 * contract's codes: the one classifier (server/public-error.ts) decides
 * what a person may read; anything else is a bug whose message stays in the log.
 */
export function refusalOf(err: unknown): { code: ErrorCode; message: string; internal: boolean } {
  const r = publicRefusal(err);
  return { code: isClassroomCode(r.code) ? r.code : NARROWER[r.code], message: r.message, internal: r.internal };
}
