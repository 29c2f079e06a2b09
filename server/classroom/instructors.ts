import crypto from 'node:crypto';
import type { BerthConfig } from '../config';
import type { InstructorRole, InstructorView, LoginSessionView, NewInstructorRequest, SetupRequest } from '../contracts/classroom';
import type { EventBus } from '../events';
import type { InstructorRow, ClassroomStore } from '../store/classroom-store';
import type { Store } from '../store/database';
import type { AuditLog } from './audit';
import { ClassroomError } from './errors';
import type { InstructorIdentity } from './index';
import { decoyHash, hashPassword, passwordProblem, verifyPassword } from './passwords';
import { RateLimiter } from './rate-limiter';

const SETUP_TOKEN = 'setup-token';
/** last_seen is written at most this often per login: a busy dashboard must not write on every request. */
const TOUCH_EVERY_MS = 60_000;

export interface LoginMeta {
  address: string;
  userAgent: string;
}

export interface LoginResult {
  /** The cookie value; only its hash is stored. */
  token: string;
  instructor: InstructorIdentity;
  expiresAt: number;
}

const sha256 = (token: string) => crypto.createHash('sha256').update(token).digest('base64url');

/**
 * Instructors and their login sessions: first-start setup, passwords,
 * login with rate limits, server-side sessions that can be listed and
 * revoked. Revocation is announced on the bus so open sockets close too.
 */
export class InstructorService {
  private readonly perAddress: RateLimiter;
  private readonly perAccount: RateLimiter;

  constructor(
    private readonly config: BerthConfig,
    private readonly store: Store,
    private readonly rows: ClassroomStore,
    private readonly audit: AuditLog,
    private readonly bus: EventBus,
  ) {
    const { perAddress, perAccount, windowMinutes } = config.classroom.loginRate;
    this.perAddress = new RateLimiter(perAddress, windowMinutes * 60_000);
    this.perAccount = new RateLimiter(perAccount, windowMinutes * 60_000);
  }

  needsSetup(): boolean {
    return this.rows.countInstructors() === 0;
  }

  /** The one-time setup token while no instructor exists (made on first ask), else null. */
  setupToken(): string | null {
    if (!this.needsSetup()) {
      if (this.store.getSetting(SETUP_TOKEN)) this.store.setSetting(SETUP_TOKEN, '');
      return null;
    }
    let token = this.store.getSetting(SETUP_TOKEN);
    if (!token) {
      token = crypto.randomBytes(18).toString('base64url');
      this.store.setSetting(SETUP_TOKEN, token);
    }
    return token;
  }

  /** Where the first instructor opens the setup page. */
  setupLink(baseUrl: string): string | null {
    const token = this.setupToken();
    return token ? `${baseUrl.replace(/\/+$/, '')}/#/setup/${token}` : null;
  }

  async setup(req: SetupRequest, meta: LoginMeta): Promise<LoginResult> {
    const expected = this.setupToken();
    const given = Buffer.from(req.token);
    if (!expected || given.length !== Buffer.byteLength(expected) || !crypto.timingSafeEqual(given, Buffer.from(expected))) {
      throw new ClassroomError('forbidden', 'That setup link is not valid (it works once, while no instructor exists). Run `berth admin setup-link` for the current one.');
    }
    const row = await this.add({ name: req.name, login: req.login, password: req.password, role: 'owner' }, true);
    this.store.setSetting(SETUP_TOKEN, '');
    this.audit.record(row.id, 'setup', { target: row.id, detail: { login: row.login } });
    return this.openLogin(row, meta);
  }

  /**
   * `by` null: the command line (`berth admin create`). On an empty Berth this does what the setup link
   * does: the account is an owner (someone must be able to add instructors from the web) and the link is spent.
   */
  async create(by: InstructorIdentity | null, req: NewInstructorRequest): Promise<InstructorView> {
    if (by && by.role !== 'owner') throw new ClassroomError('forbidden', 'Only an owner can add instructors.');
    const first = this.needsSetup();
    if (first && req.role !== 'owner') throw new ClassroomError('invalid', 'role: the first instructor must be an owner (leave --role out, or use --role owner).');
    const unknown = (req.classIds ?? []).filter((id) => !this.rows.classRow(id));
    if (unknown.length) throw new ClassroomError('invalid', `classIds: no class ${unknown.map((u) => `"${u}"`).join(', ')}`);
    const row = await this.add(req);
    if (first) this.store.setSetting(SETUP_TOKEN, '');
    for (const classId of req.classIds ?? []) this.rows.addTeacher(classId, row.id);
    this.audit.record(by?.id ?? null, 'instructor.create', { target: row.id, detail: { login: row.login, role: row.role, via: by ? 'web' : 'cli' } });
    return view(row);
  }

  async resetPassword(login: string, password: string): Promise<InstructorView> {
    const row = this.rows.instructorByLogin(login);
    if (!row) throw new ClassroomError('not_found', `No instructor has the login "${login}".`);
    const problem = passwordProblem(password);
    if (problem) throw new ClassroomError('invalid', problem);
    this.rows.setPassword(row.id, await hashPassword(password));
    this.revoke(row.id);
    this.audit.record(null, 'instructor.reset-password', { target: row.id, detail: { login: row.login, via: 'cli' } });
    return view(row);
  }

  async login(login: string, password: string, meta: LoginMeta): Promise<LoginResult> {
    const account = login.trim().toLowerCase();
    if (!this.perAddress.hit(meta.address) || !this.perAccount.allowed(account)) {
      const wait = Math.max(this.perAddress.retryAfter(meta.address), this.perAccount.retryAfter(account));
      throw new ClassroomError('rate_limited', `Too many login attempts. Try again in ${Math.ceil(wait / 60_000)} minute(s).`, { retryAfterSeconds: Math.ceil(wait / 1000) });
    }
    const row = this.rows.instructorByLogin(account);
    const ok = await verifyPassword(password, row?.passwordHash ?? (await decoyHash()));
    if (!row || !ok) {
      this.perAccount.hit(account);
      if (row) this.audit.record(row.id, 'login.failed', { detail: { address: meta.address } });
      throw new ClassroomError('unauthenticated', 'Wrong login or password.');
    }
    this.perAccount.reset(account);
    const result = this.openLogin(row, meta);
    this.audit.record(row.id, 'login', { target: result.instructor.loginId, detail: { address: meta.address } });
    return result;
  }

  /**
   * The instructor behind a cookie token; null if unknown, revoked or expired. Reads the database each
   * time, so a revocation by another process (`berth admin reset-password`) counts at once.
   * `touch: false` leaves the inactivity clock alone (an open socket's periodic re-check is not activity).
   */
  identify(token: string | undefined, opts: { touch?: boolean } = {}): InstructorIdentity | null {
    if (!token) return null;
    const now = Date.now();
    const login = this.rows.loginByToken(sha256(token), now);
    if (!login) return null;
    const row = this.rows.instructor(login.instructorId);
    if (!row) return null;
    if (opts.touch !== false && now - login.lastSeenAt > TOUCH_EVERY_MS) this.rows.touchLogin(login.id, now, now + this.idleMs());
    return { id: row.id, name: row.name, login: row.login, role: row.role, loginId: login.id };
  }

  get(id: string): InstructorView | null {
    const row = this.rows.instructor(id);
    return row ? view(row) : null;
  }

  list(): InstructorView[] {
    return this.rows.instructors().map(view);
  }

  logins(instructor: InstructorIdentity): LoginSessionView[] {
    return this.rows.liveLogins(instructor.id, Date.now()).map((l) => ({
      id: l.id,
      createdAt: l.createdAt,
      lastSeenAt: l.lastSeenAt,
      expiresAt: l.expiresAt,
      userAgent: l.userAgent,
      address: l.address,
      current: l.id === instructor.loginId,
    }));
  }

  /** Ends login sessions of an instructor (all when `loginIds` is omitted) and tells open sockets. */
  revoke(instructorId: string, loginIds?: string[]): string[] {
    const revoked = this.rows.revokeLogins(instructorId, Date.now(), loginIds);
    if (revoked.length) this.bus.emit('instructorLoginsRevoked', { instructorId, loginIds: revoked });
    return revoked;
  }

  private idleMs(): number {
    return Math.max(1, this.config.classroom.instructorIdleMinutes) * 60_000;
  }

  /** `onlyFirst`: the setup page; refused if an instructor appeared meanwhile (two tabs racing one token). */
  private async add(req: { name: string; login: string; password: string; role: InstructorRole }, onlyFirst = false): Promise<InstructorRow> {
    const login = req.login.trim().toLowerCase();
    const name = req.name.trim();
    if (!/^[a-z0-9][a-z0-9._@+-]{1,79}$/.test(login)) throw new ClassroomError('invalid', 'login: 2 to 80 letters, digits or . _ @ + - (an email address works)');
    if (name.length < 1 || name.length > 80 || /[\u0000-\u001f<>]/.test(name)) throw new ClassroomError('invalid', 'name: 1 to 80 characters, without < or >');
    const problem = passwordProblem(req.password);
    if (problem) throw new ClassroomError('invalid', problem);
    if (this.rows.instructorByLogin(login)) throw new ClassroomError('conflict', `login: "${login}" is taken`);
    const row: InstructorRow = {
      id: crypto.randomBytes(9).toString('base64url'),
      login,
      name,
      role: req.role,
      passwordHash: await hashPassword(req.password),
      createdAt: Date.now(),
    };
    // The hash took a while: check again, then insert with no await in between (one thread, one statement).
    if (onlyFirst && !this.needsSetup()) throw new ClassroomError('conflict', 'Berth has been set up already; log in instead.');
    if (this.rows.instructorByLogin(login)) throw new ClassroomError('conflict', `login: "${login}" is taken`);
    this.rows.addInstructor(row);
    return row;
  }

  private openLogin(row: InstructorRow, meta: LoginMeta): LoginResult {
    const token = crypto.randomBytes(32).toString('base64url');
    const now = Date.now();
    const id = crypto.randomBytes(9).toString('base64url');
    const expiresAt = now + this.idleMs();
    this.rows.addLogin({ id, instructorId: row.id, createdAt: now, lastSeenAt: now, expiresAt, userAgent: meta.userAgent.slice(0, 200), address: meta.address }, sha256(token));
    return { token, expiresAt, instructor: { id: row.id, name: row.name, login: row.login, role: row.role, loginId: id } };
  }
}

export function view(row: InstructorRow): InstructorView {
  return { id: row.id, login: row.login, name: row.name, role: row.role, createdAt: row.createdAt };
}
