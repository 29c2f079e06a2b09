/**
 * A real Berth for contract and runtime tests: the HTTP server, socket.io and
 * the Docker backend against the local engine. No mocks. Each test file gets
 * its own instance id, so its containers, networks and volumes are labelled
 * apart from everyone else's and can be listed (and must vanish) by label.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { io, type Socket } from 'socket.io-client';
import { loadConfig } from '../../server/config';
import { startServer, type RunningServer } from '../../server/http/server';
import type { ClientToServerEvents, ServerToClientEvents, SessionState, SessionStatusEvent } from '../../server/contracts/protocol';
import type { Terminal } from '../../server/terminal/terminal';
import type { Scrollback } from '../../server/terminal/scrollback';
import { testEnv } from '../tools/serve-child';
import { TEXT_CHUNKS_AUTH, terminalDataBytes } from '../../server/contracts/terminal-data';

export { FIXTURE_LABS } from '../tools/serve-child';
export const INSTANCE_LABEL = 'io.berth.instance';
export const SESSION_LABEL = 'io.berth.session';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface Berth {
  server: RunningServer;
  url: string;
  instance: string;
  dataDir: string;
  env: Record<string, string>;
  /** Stops this server without touching machines; the next `restart` re-adopts them. */
  restart(): Promise<void>;
  /** Stops the server and removes every session's machines, then the data dir. */
  dispose(): Promise<void>;
}

export const docker = new Docker({ socketPath: '/var/run/docker.sock' });

export function uniqueInstance(prefix: string): string {
  return `${prefix}-${crypto.randomBytes(4).toString('hex')}`;
}

/** Quiet the server's own progress lines unless BERTH_TEST_VERBOSE is set. */
function quietServerLogs(): void {
  if (process.env.BERTH_TEST_VERBOSE) return;
  const original = console.log;
  console.log = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith('[berth]')) return;
    original(...args);
  };
}

export async function startBerth(prefix: string, extraEnv: Record<string, string> = {}): Promise<Berth> {
  quietServerLogs();
  const instance = uniqueInstance(prefix);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `berth-${prefix}-`));
  const env = testEnv(instance, dataDir, extraEnv);
  const start = () => startServer(loadConfig({ ...process.env, ...env }));
  const berth: Berth = {
    server: await start(),
    url: '',
    instance,
    dataDir,
    env,
    async restart() {
      await berth.server.close();
      berth.server = await start();
      berth.url = berth.server.url;
    },
    async dispose() {
      await berth.server.close({ removeSessions: true });
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  berth.url = berth.server.url;
  return berth;
}

/* ---- REST ---- */

export interface ApiResult<T = Record<string, unknown>> {
  status: number;
  json: T;
  setCookie: string | null;
}

export async function api<T = Record<string, any>>( // eslint-disable-line @typescript-eslint/no-explicit-any
  url: string,
  method: string,
  route: string,
  opts: { cookie?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<ApiResult<T>> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.cookie) headers.cookie = opts.cookie;
  let body: string | undefined;
  if (opts.rawBody !== undefined) body = opts.rawBody;
  else if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url + route, { method, headers, body });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = { text };
  }
  return { status: res.status, json: json as T, setCookie: res.headers.get('set-cookie') };
}

export interface Student {
  id: string;
  name: string;
  /** `berth_student=<signed id>`, ready for a Cookie header. */
  cookie: string;
}

export async function join(url: string, name: string): Promise<Student> {
  const r = await api(url, 'POST', '/api/join', { body: { name } });
  if (r.status !== 200 || !r.setCookie) throw new Error(`join failed: ${r.status} ${JSON.stringify(r.json)}`);
  return { id: r.json.student.id, name, cookie: r.setCookie.split(';')[0] };
}

/* ---- the classroom door ---- */

export interface InstructorLogin {
  id: string;
  login: string;
  password: string;
  /** `berth_instructor=<token>`, ready for a Cookie header. */
  cookie: string;
}

export const OWNER_PASSWORD = 'correct horse battery staple';

/** First start: reads the setup token (as `berth admin setup-link` does) and creates the owner through POST /api/setup. */
export async function setupInstructor(berth: Berth, login = 'owner@school.test'): Promise<InstructorLogin> {
  const token = berth.server.ctx.classroom.instructors.setupToken();
  if (!token) throw new Error('setupInstructor: an instructor exists already');
  const r = await api(berth.url, 'POST', '/api/setup', { body: { token, name: 'Olive Owner', login, password: OWNER_PASSWORD } });
  if (r.status !== 200 || !r.setCookie) throw new Error(`setup failed: ${r.status} ${JSON.stringify(r.json)}`);
  return { id: r.json.instructor.id, login, password: OWNER_PASSWORD, cookie: r.setCookie.split(';')[0] };
}

/** Logs an existing instructor in; returns the cookie. */
export async function loginInstructor(url: string, login: string, password: string): Promise<string> {
  const r = await api(url, 'POST', '/api/instructor/login', { body: { login, password } });
  if (r.status !== 200 || !r.setCookie) throw new Error(`login failed: ${r.status} ${JSON.stringify(r.json)}`);
  return r.setCookie.split(';')[0];
}

/** Creates a class (defaults: 30 seats, no schedule, global limits) and returns its ClassView. */
export async function createClass(
  url: string,
  instructorCookie: string,
  input: { name?: string; labs: string[]; seats?: number; startsAt?: number | null; endsAt?: number | null; allowRejoinByName?: boolean; limits?: Partial<{ maxRunning: number | null; sessionMinutes: number | null; idleMinutes: number | null }> },
): Promise<Record<string, any>> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const body = {
    name: input.name ?? 'Class',
    labs: input.labs,
    seats: input.seats ?? 30,
    startsAt: input.startsAt ?? null,
    endsAt: input.endsAt ?? null,
    allowRejoinByName: input.allowRejoinByName ?? false,
    limits: { maxRunning: null, sessionMinutes: null, idleMinutes: null, ...(input.limits ?? {}) },
  };
  const r = await api(url, 'POST', '/api/instructor/classes', { cookie: instructorCookie, body });
  if (r.status !== 200) throw new Error(`create class failed: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json.class;
}

/** Joins a class with its code (or a one-time code); `cookie` sends an existing student cookie (returning browser). */
export async function joinWithCode(url: string, code: string, name: string, cookie?: string): Promise<Student> {
  const r = await api(url, 'POST', '/api/join', { body: { code, name }, cookie });
  if (r.status !== 200 || !r.setCookie) throw new Error(`join with code failed: ${r.status} ${JSON.stringify(r.json)}`);
  return { id: r.json.student.id, name: r.json.student.name, cookie: r.setCookie.split(';')[0] };
}

/** Starts a lab over REST and waits until the server has finished starting it. */
export async function startLab(berth: Berth, student: Student, labId: string): Promise<string> {
  const r = await api(berth.url, 'POST', '/api/sessions', { cookie: student.cookie, body: { labId } });
  if (r.status !== 200) throw new Error(`start ${labId}: ${r.status} ${JSON.stringify(r.json)}`);
  const id: string = r.json.session.id;
  await berth.server.ctx.sessions.settled(id);
  const row = berth.server.ctx.sessions.get(id);
  if (row?.state !== 'running') throw new Error(`session ${id} is ${row?.state}: ${row?.error}`);
  return id;
}

export async function waitFor<T>(what: string | (() => string), probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 20_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'function' ? what() : what}`);
    await sleep(everyMs);
  }
}

export async function waitState(berth: Berth, sessionId: string, state: SessionState, timeoutMs = 60_000): Promise<void> {
  const row = () => berth.server.ctx.sessions.get(sessionId);
  await waitFor(() => `session ${sessionId} to be ${state} (it is ${row()?.state}${row()?.error ? `: ${row()?.error}` : ''})`, () => row()?.state === state, timeoutMs);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A loopback TCP port nobody listens on right now (for a listener the test starts itself). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/* ---- socket.io ---- */

export function socketFor(url: string, cookie: string | undefined, extraHeaders: Record<string, string> = {}): ClientSocket {
  return io(url, {
    transports: ['websocket'],
    extraHeaders: { ...(cookie ? { cookie } : {}), ...extraHeaders },
    auth: { ...TEXT_CHUNKS_AUTH },
    reconnection: false,
    forceNew: true,
  });
}

/** Connects, or rejects with the server's connect_error message. */
export function connect(url: string, cookie: string | undefined, extraHeaders: Record<string, string> = {}): Promise<ClientSocket> {
  const socket = socketFor(url, cookie, extraHeaders);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

/** An instructor page's socket (`auth.role` says which cookie to use when a browser holds both). */
export function connectInstructor(url: string, cookie: string): Promise<ClientSocket> {
  const socket: ClientSocket = io(url, { transports: ['websocket'], extraHeaders: { cookie }, auth: { role: 'instructor', ...TEXT_CHUNKS_AUTH }, reconnection: false, forceNew: true });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

/** Emits and waits for the reply, failing instead of hanging when none comes. */
export function ask<R>(socket: ClientSocket, event: string, payload: unknown, timeoutMs = 10_000): Promise<R> {
  const timed = socket.timeout(timeoutMs) as unknown as { emitWithAck(ev: string, p: unknown): Promise<R> };
  return timed.emitWithAck(event, payload);
}

/** Emits with a reply callback and resolves `null` if the server sends none within `ms`. */
export function askMaybe<R>(socket: ClientSocket, event: string, payload: unknown, ms = 500): Promise<R | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), ms);
    (socket.emit as unknown as (ev: string, p: unknown, cb: (r: R) => void) => void)(event, payload, (r: R) => {
      clearTimeout(timer);
      resolve(r);
    });
  });
}

export function collectStatus(socket: ClientSocket): SessionStatusEvent[] {
  const events: SessionStatusEvent[] = [];
  socket.on('session:status', (e) => events.push(e));
  return events;
}

/**
 * One terminal as a client sees it: the byte stream in order, with the
 * sequence numbers checked, acknowledged as it arrives unless `autoAck` is off.
 */
export class TermClient {
  chunks: Buffer[] = [];
  received = 0;
  /** Sequence where this client's stream started (after a reset: the reset point). */
  base = 0;
  resets: number[] = [];
  exits: string[] = [];
  unacked = 0;
  gaps: string[] = [];

  constructor(
    readonly socket: ClientSocket,
    readonly sessionId: string,
    readonly terminalId: string,
    public autoAck = true,
  ) {
    socket.on('terminal:data', (e) => {
      if (e.sessionId !== sessionId || e.terminalId !== terminalId) return;
      const data = Buffer.from(terminalDataBytes(e.data));
      const expected = this.base + this.received;
      if (e.seq !== expected) this.gaps.push(`got seq ${e.seq}, expected ${expected}`);
      this.chunks.push(data);
      this.received += data.length;
      this.unacked += data.length;
      if (this.autoAck) this.ack();
    });
    socket.on('terminal:reset', (e) => {
      if (e.sessionId !== sessionId || e.terminalId !== terminalId) return;
      this.resets.push(e.seq);
      this.chunks = [];
      this.received = 0;
      this.unacked = 0;
      this.base = e.seq;
    });
    socket.on('terminal:exit', (e) => {
      if (e.sessionId === sessionId && e.terminalId === terminalId) this.exits.push(e.reason);
    });
  }

  /** Sequence of the next byte this client has not seen (what it would send as `from`). */
  get next(): number {
    return this.base + this.received;
  }

  ack(): void {
    if (this.unacked > 0) {
      this.socket.emit('terminal:ack', { sessionId: this.sessionId, terminalId: this.terminalId, bytes: this.unacked });
      this.unacked = 0;
    }
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }

  async attach(machine: string, from = this.next, cols = 100, rows = 30): Promise<{ ok: boolean; error?: string; owner?: boolean }> {
    return ask(this.socket, 'terminal:attach', { sessionId: this.sessionId, machine, terminalId: this.terminalId, from, cols, rows }, 30_000);
  }

  type(data: string): void {
    this.socket.emit('terminal:input', { sessionId: this.sessionId, terminalId: this.terminalId, data });
  }

  /** Waits until the text received so far matches. */
  async waitText(pattern: RegExp | string, timeoutMs = 15_000): Promise<string> {
    return waitFor(() => `terminal output matching ${String(pattern)} (got …${JSON.stringify(this.text().slice(-300))})`, () => {
      const text = this.text();
      return (typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text)) ? text : null;
    }, timeoutMs, 20);
  }

  /** Runs a command and returns what it printed between two unique markers. */
  async run(command: string, timeoutMs = 15_000): Promise<string> {
    const tag = crypto.randomBytes(3).toString('hex');
    // The markers are built by the shell, so the echo of the typed line never matches them.
    const open = `<${tag}>`;
    const close = `</${tag}>`;
    const start = this.text().length;
    this.type(`echo "<"${tag}">"; ${command}; echo "</"${tag}">"\r`);
    const text = await waitFor(() => `output of ${JSON.stringify(command)} (got …${JSON.stringify(this.text().slice(-300))})`, () => {
      const t = this.text().slice(start);
      const a = t.indexOf(open);
      const b = t.indexOf(close, a + open.length);
      return a >= 0 && b > a ? t.slice(a + open.length, b) : null;
    }, timeoutMs, 20);
    return text.replace(/\r/g, '').trim();
  }
}

/** The server's scrollback for a terminal, whole (tests only: the field is private). */
export function scrollbackOf(terminal: Terminal): Buffer {
  const sb = (terminal as unknown as { scrollback: Scrollback }).scrollback;
  return sb.read(sb.start).data;
}

/* ---- Docker objects ---- */

export interface Objects {
  containers: string[];
  networks: string[];
  volumes: string[];
}

/** Everything in the engine labelled with this instance (and session, if given). */
export async function dockerObjects(instance: string, sessionId?: string): Promise<Objects> {
  const label = [`${INSTANCE_LABEL}=${instance}`, ...(sessionId ? [`${SESSION_LABEL}=${sessionId}`] : [])];
  const filters = { label };
  const [containers, networks, volumes] = await Promise.all([
    docker.listContainers({ all: true, filters }),
    docker.listNetworks({ filters }),
    docker.listVolumes({ filters }),
  ]);
  return {
    containers: containers.map((c) => c.Names[0]),
    networks: networks.map((n) => n.Name),
    volumes: (volumes.Volumes ?? []).map((v) => v.Name),
  };
}

/** Objects whose name carries the session id (volumes of a session carry no session label). */
export async function sessionObjects(instance: string, sessionId: string): Promise<Objects> {
  const all = await dockerObjects(instance);
  const mine = (n: string) => n.includes(sessionId);
  return { containers: all.containers.filter(mine), networks: all.networks.filter(mine), volumes: all.volumes.filter(mine) };
}

/** Last resort for a failed test: removes whatever is still labelled with the instance. */
export async function removeInstanceObjects(instance: string): Promise<void> {
  const filters = { label: [`${INSTANCE_LABEL}=${instance}`] };
  for (const c of await docker.listContainers({ all: true, filters })) await docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined);
  for (const n of await docker.listNetworks({ filters })) await docker.getNetwork(n.Id).remove().catch(() => undefined);
  for (const v of (await docker.listVolumes({ filters })).Volumes ?? []) await docker.getVolume(v.Name).remove({ force: true }).catch(() => undefined);
}
