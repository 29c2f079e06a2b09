import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { io, type Socket } from 'socket.io-client';
import { api, waitFor, type Student } from '../contract/harness';
import { terminalDataBytes, type TerminalData } from '../../server/contracts/terminal-data';

/** A student's lab driven over Berth's public API, as the browser does, against a `berth serve` child. */

export async function startLab(url: string, student: Student, labId: string): Promise<string> {
  const r = await api(url, 'POST', '/api/sessions', { cookie: student.cookie, body: { labId } });
  if (r.status !== 200) throw new Error(`start ${labId}: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json.session.id as string;
}

export async function sessionState(url: string, student: Student, sessionId: string): Promise<string | undefined> {
  return (await api(url, 'GET', `/api/sessions/${sessionId}`, { cookie: student.cookie })).json.session?.state;
}

export async function waitSessionState(url: string, student: Student, sessionId: string, states: string[], timeoutMs = 120_000): Promise<string> {
  let last: string | undefined;
  return waitFor(
    () => `session ${sessionId} to be ${states.join('/')} (it is ${last})`,
    async () => {
      last = await sessionState(url, student, sessionId);
      return last && states.includes(last) ? last : null;
    },
    timeoutMs,
    200,
  );
}

export function studentSocket(url: string, student: Student): Promise<Socket> {
  const socket = io(url, { transports: ['websocket'], reconnection: false, extraHeaders: { cookie: student.cookie, origin: url } });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

/** Opens the machine's terminal, runs a command and waits for its output: the lab was used. */
export async function useTerminal(socket: Socket, sessionId: string, machine: string, command: string, expect: string): Promise<void> {
  let text = '';
  const onData = (e: { sessionId: string; terminalId: string; data: TerminalData; seq: number }) => {
    if (e.sessionId !== sessionId || e.terminalId !== machine) return;
    const bytes = terminalDataBytes(e.data);
    text += Buffer.from(bytes).toString('utf8');
    socket.emit('terminal:ack', { sessionId, terminalId: machine, bytes: bytes.byteLength });
  };
  socket.on('terminal:data', onData);
  try {
    const reply = await socket.timeout(30_000).emitWithAck('terminal:attach', { sessionId, machine, terminalId: machine, from: 0, cols: 100, rows: 30 });
    if (!reply?.ok) throw new Error(`attach: ${JSON.stringify(reply)}`);
    socket.emit('terminal:input', { sessionId, terminalId: machine, data: `${command}\r` });
    await waitFor(() => `${JSON.stringify(expect)} in the terminal (got ${JSON.stringify(text.slice(-200))})`, () => text.includes(expect), 30_000, 50);
  } finally {
    socket.off('terminal:data', onData);
  }
}

export async function runCheck(socket: Socket, sessionId: string, step: number): Promise<void> {
  const reply = await socket.timeout(30_000).emitWithAck('check:run', { sessionId, step });
  if (!reply?.ok) throw new Error(`check:run: ${JSON.stringify(reply)}`);
}

/** The database beside the running Berth (WAL: readers never block it). */
export function readDb<T>(dataDir: string, query: (db: Database.Database) => T): T {
  const db = new Database(path.join(dataDir, 'berth.sqlite'), { readonly: true });
  try {
    return query(db);
  } finally {
    db.close();
  }
}

export function completedSteps(dataDir: string, studentId: string, labId: string): number[] {
  const row = readDb(dataDir, (db) => db.prepare('SELECT completed FROM progress WHERE student_id = ? AND lab_id = ?').get(studentId, labId) as { completed: string } | undefined);
  return row ? (JSON.parse(row.completed) as number[]) : [];
}

/** Open file descriptors and resident memory of a process (Linux /proc). */
export function processFootprint(pid: number): { fds: number; rssBytes: number } {
  const fds = fs.readdirSync(`/proc/${pid}/fd`).length;
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return { fds, rssBytes: rssKb * 1024 };
}

/**
 * The first instructor of a `berth serve` child, made with the setup link its log prints on a
 * first start (what an admin does); returns the instructor's cookie.
 */
export async function ownerOf(server: { url: string; output(): string }): Promise<string> {
  // The link is logged just after the "serving" line, which may arrive in an earlier chunk.
  const token = await waitFor(
    'the setup link in the log of berth serve (is there an instructor already, or did the warn line change?)',
    () => /#\/setup\/([^"\s]+)/.exec(server.output())?.[1],
    10_000,
  );
  const r = await api(server.url, 'POST', '/api/setup', { body: { token, name: 'Olive Owner', login: 'owner@school.test', password: 'correct horse battery staple' } });
  if (r.status !== 200 || !r.setCookie) throw new Error(`setup: ${r.status} ${JSON.stringify(r.json)}`);
  return r.setCookie.split(';')[0];
}

/** An instructor action on one student (pause, resume, end…) through the live view's REST API; throws with the reason if it was refused. */
export async function instructorAction(url: string, instructorCookie: string, classId: string, action: string, studentId: string): Promise<void> {
  const r = await api(url, 'POST', `/api/instructor/classes/${classId}/actions`, { cookie: instructorCookie, body: { action, studentIds: [studentId] } });
  const result = r.json.results?.[0];
  if (r.status !== 200 || !result?.ok) throw new Error(`${action} ${studentId}: ${r.status} ${JSON.stringify(r.json)}`);
}
