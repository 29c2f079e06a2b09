/**
 * Helpers for the live view's contract tests: a lab written for them, an
 * owner and instructors made through the real setup and login routes, classes
 * made over REST, students joining with the class code, instructor sockets.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import type { ClassGridView, ClassView, ErrorCode, GridRow } from '../../server/contracts/classroom';
import { api, waitFor, type Berth, type Student } from './harness';

/** Three steps on a plain machine: two checks with FAIL lines, hints and a solution, then a quiz. */
export const THREE_STEPS_LAB = `---
id: three-steps
title: Three steps
summary: The live view's contract tests drive this lab.
difficulty: beginner
minutes: 5
machines:
  - name: box
    image: shell
---
A lab for Berth's own tests.

## Make the first file

\`\`\`check
test -f /tmp/a || { echo "FAIL: /tmp/a is missing"; exit 1; }
\`\`\`

\`\`\`hint
Use touch.
\`\`\`

\`\`\`hint
touch /tmp/a
\`\`\`

\`\`\`solution
Run \`touch /tmp/a\`.
\`\`\`

\`\`\`solve
touch /tmp/a
\`\`\`

## Make the second file

\`\`\`check
test -f /tmp/b || { echo "FAIL: /tmp/b is missing"; exit 1; }
\`\`\`

\`\`\`solve
touch /tmp/b
\`\`\`

## Answer a question

\`\`\`quiz
question: Which command lists running containers?
choices:
  - text: docker ps
    correct: true
  - text: docker images
explanation: "\`docker ps\` lists containers."
\`\`\`
`;

/** A labs folder holding only THREE_STEPS_LAB (removed by the caller). */
export function liveLabsDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-live-labs-'));
  fs.mkdirSync(path.join(dir, 'three-steps'));
  fs.writeFileSync(path.join(dir, 'three-steps', 'lab.md'), THREE_STEPS_LAB);
  return dir;
}

export interface Instructor {
  id: string;
  name: string;
  /** `berth_instructor=<token>` for a Cookie header. */
  cookie: string;
}

function cookieOf(setCookie: string | null, name: string): string {
  const part = (setCookie ?? '').split(/,(?=\s*\w+=)/).find((c) => c.trim().startsWith(`${name}=`));
  if (!part) throw new Error(`no ${name} cookie in ${setCookie}`);
  return part.trim().split(';')[0];
}

/** The first instructor (owner), through the one-time setup token the server logs. */
export async function setupOwner(berth: Berth, name = 'Olive Owner'): Promise<Instructor> {
  const token = berth.server.ctx.classroom.instructors.setupToken();
  const r = await api(berth.url, 'POST', '/api/setup', { body: { token, name, login: 'owner', password: 'owner-password-1' } });
  if (r.status !== 200) throw new Error(`setup: ${r.status} ${JSON.stringify(r.json)}`);
  return { id: r.json.instructor.id, name, cookie: cookieOf(r.setCookie, 'berth_instructor') };
}

/** Another instructor (role instructor: sees only the classes they teach), logged in. */
export async function addInstructor(berth: Berth, owner: Instructor, name: string, login: string): Promise<Instructor> {
  const password = `${login}-password-1`;
  const made = await api(berth.url, 'POST', '/api/instructor/instructors', { cookie: owner.cookie, body: { name, login, password, role: 'instructor' } });
  if (made.status !== 200) throw new Error(`new instructor: ${made.status} ${JSON.stringify(made.json)}`);
  const r = await api(berth.url, 'POST', '/api/instructor/login', { body: { login, password } });
  if (r.status !== 200) throw new Error(`login: ${r.status} ${JSON.stringify(r.json)}`);
  return { id: r.json.instructor.id, name, cookie: cookieOf(r.setCookie, 'berth_instructor') };
}

export async function createClass(berth: Berth, who: Instructor, name: string, labs: string[]): Promise<ClassView> {
  const body = { name, labs, seats: 40, startsAt: null, endsAt: null, limits: { maxRunning: null, sessionMinutes: null, idleMinutes: null }, allowRejoinByName: false };
  const r = await api(berth.url, 'POST', '/api/instructor/classes', { cookie: who.cookie, body });
  if (r.status !== 200) throw new Error(`create class: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json.class as ClassView;
}

export async function joinClass(berth: Berth, code: string, name: string): Promise<Student> {
  const r = await api(berth.url, 'POST', '/api/join', { body: { code, name } });
  if (r.status !== 200) throw new Error(`join ${name}: ${r.status} ${JSON.stringify(r.json)}`);
  return { id: r.json.student.id, name, cookie: cookieOf(r.setCookie, 'berth_student') };
}

export type AnySocket = Socket;

/** An instructor's socket (the browser says which cookie it means with `auth.role`). */
export function instructorSocket(url: string, cookie: string): Promise<Socket> {
  const socket = io(url, { transports: ['websocket'], extraHeaders: { cookie }, auth: { role: 'instructor' }, reconnection: false, forceNew: true });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

export type SocketReply = { ok: boolean; error?: string; code?: ErrorCode };

export function emitAck<R = SocketReply>(socket: Socket, event: string, payload: unknown, timeoutMs = 15_000): Promise<R> {
  return (socket.timeout(timeoutMs) as unknown as { emitWithAck(ev: string, p: unknown): Promise<R> }).emitWithAck(event, payload);
}

/** Everything an instructor socket receives about a class: the snapshot and each patch. */
export class GridWatcher {
  grid: ClassGridView | null = null;
  patches: Array<{ classId: string; rows: GridRow[]; at: number }> = [];

  constructor(readonly socket: Socket) {
    socket.on('class:grid', (g: ClassGridView) => {
      this.grid = g;
    });
    socket.on('class:rows', (p: { classId: string; rows: GridRow[]; at: number }) => this.patches.push(p));
  }

  /** The newest row of a student, from the snapshot and the patches after it. */
  row(studentId: string): GridRow | undefined {
    for (let i = this.patches.length - 1; i >= 0; i--) {
      const r = this.patches[i].rows.find((x) => x.studentId === studentId);
      if (r) return r;
    }
    return this.grid?.rows.find((r) => r.studentId === studentId);
  }

  /** Waits for a patch (after `since` patches) whose row for the student satisfies `pred`. */
  async waitRow(what: string, studentId: string, pred: (r: GridRow) => boolean, since = 0, timeoutMs = 20_000): Promise<GridRow> {
    return waitFor(
      () => `${what} (last row: ${JSON.stringify(this.row(studentId))?.slice(0, 400)})`,
      () => {
        for (const p of this.patches.slice(since)) {
          const r = p.rows.find((x) => x.studentId === studentId);
          if (r && pred(r)) return r;
        }
        return null;
      },
      timeoutMs,
    );
  }
}
