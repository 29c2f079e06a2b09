import crypto from 'node:crypto';
import type { HostAllowlist } from './host-allowlist';

export const COOKIE = 'berth_student';
/** A random token per login session; the server keeps only its hash. */
export const INSTRUCTOR_COOKIE = 'berth_instructor';

/**
 * A student is identified by a signed cookie: `<id>.<hmac>`. No password yet
 * (the classroom issue adds class codes and instructors); the signature stops
 * one student from becoming another by editing a cookie.
 */
export class CookieSigner {
  constructor(private readonly secret: string) {
    if (secret.length < 16) throw new Error('cookie secret too short');
  }

  sign(studentId: string): string {
    return `${studentId}.${this.mac(studentId)}`;
  }

  verify(value: string | undefined): string | null {
    if (!value) return null;
    const dot = value.lastIndexOf('.');
    if (dot <= 0) return null;
    const id = value.slice(0, dot);
    const mac = Buffer.from(value.slice(dot + 1));
    const expected = Buffer.from(this.mac(id));
    return mac.length === expected.length && crypto.timingSafeEqual(mac, expected) ? id : null;
  }

  private mac(id: string): string {
    return crypto.createHmac('sha256', this.secret).update(id).digest('base64url');
  }
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    try {
      out[key] = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      /* a malformed cookie is simply absent */
    }
  }
  return out;
}

/**
 * Browsers send Origin on websocket handshakes and cross-site requests; only
 * pages served under a name Berth answers to may drive a student's terminal
 * (CVE-2023-49805). The request's own Host proves nothing (DNS rebinding
 * makes it the attacker's name), so the Origin is checked against the
 * allowlist and BERTH_ALLOWED_ORIGINS.
 */
export function originAllowed(origin: string | undefined, hosts: HostAllowlist, allowedOrigins: string[]): boolean {
  if (!origin) return true; // not a browser (CLI tests, curl): cookie auth still applies
  if (allowedOrigins.includes(origin)) return true;
  return hosts.allowsOrigin(origin);
}
