/**
 * Helpers for the live view's contract tests: a lab written for them, a
 * second instructor, a watcher of the grid; thin wrappers over the harness's
 * owner, class, join and instructor-socket helpers.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Socket } from 'socket.io-client';
import type { ClassGridView, ClassView, ErrorCode, GridRow } from '../../server/contracts/classroom';
import { api, connectInstructor, createClass as harnessCreateClass, joinWithCode, loginInstructor, removeInstanceObjects, setupInstructor, startBerth, waitFor, type Berth, type Student } from './harness';

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

/**
 * A Berth serving liveLabsDir() for the whole test file: started before its
 * tests (handed to `started`), and after them disposed, with its Docker
 * objects, its labs folder and the sockets put in the returned list.
 */
export function useLiveBerth(instance: string, env: Record<string, string>, started: (berth: Berth) => void): Array<{ close(): unknown }> {
  const open: Array<{ close(): unknown }> = [];
  let labsDir = '';
  let berth: Berth | undefined;
  beforeAll(async () => {
    labsDir = liveLabsDir();
    berth = await startBerth(instance, { BERTH_LABS_DIR: labsDir, ...env });
    started(berth);
  }, 60_000);
  afterAll(async () => {
    for (const s of open) s.close();
    await berth?.dispose();
    if (berth) await removeInstanceObjects(berth.instance);
    if (labsDir) fs.rmSync(labsDir, { recursive: true, force: true });
  }, 60_000);
  return open;
}

export interface Instructor {
  id: string;
  name: string;
  /** `berth_instructor=<token>` for a Cookie header. */
  cookie: string;
}

/** The first instructor (owner), made by the harness through the setup route; with the name they were given. */
export async function setupOwner(berth: Berth): Promise<Instructor> {
  const login = await setupInstructor(berth);
  const me = await api(berth.url, 'GET', '/api/instructor/me', { cookie: login.cookie });
  return { id: login.id, name: me.json.instructor.name, cookie: login.cookie };
}

/** Another instructor (role instructor: sees only the classes they teach), logged in. */
export async function addInstructor(berth: Berth, owner: Instructor, name: string, login: string): Promise<Instructor> {
  const password = `${login}-password-1`;
  const made = await api(berth.url, 'POST', '/api/instructor/instructors', { cookie: owner.cookie, body: { name, login, password, role: 'instructor' } });
  if (made.status !== 200) throw new Error(`new instructor: ${made.status} ${JSON.stringify(made.json)}`);
  return { id: made.json.instructor.id, name, cookie: await loginInstructor(berth.url, login, password) };
}

export async function createClass(berth: Berth, who: Instructor, name: string, labs: string[]): Promise<ClassView> {
  return (await harnessCreateClass(berth.url, who.cookie, { name, labs, seats: 40 })) as ClassView;
}

export function joinClass(berth: Berth, code: string, name: string): Promise<Student> {
  return joinWithCode(berth.url, code, name);
}

/** An instructor's socket (the browser says which cookie it means with `auth.role`). */
export async function instructorSocket(url: string, cookie: string): Promise<Socket> {
  return (await connectInstructor(url, cookie)) as unknown as Socket;
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
