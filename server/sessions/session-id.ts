import crypto from 'node:crypto';

/** Session ids appear in container and network names, so they are short and plain. */
export function newSessionId(): string {
  // 12 chars of [a-z0-9]: short enough for container names, enough to never collide in a classroom.
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = crypto.randomBytes(12);
  return [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
}
