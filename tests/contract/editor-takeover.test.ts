/**
 * The editor's file API for an instructor: refused while they only watch,
 * allowed while they take over one of the student's terminals, refused again
 * once the takeover ends.
 */
import fs from 'node:fs';
import type { Socket } from 'socket.io-client';
import { ask, connect, removeInstanceObjects, startBerth, startLab, TermClient, waitState, type Berth, type ClientSocket } from './harness';
import { createClass, emitAck, instructorSocket, joinClass, liveLabsDir, setupOwner, type Instructor } from './live-helpers';

jest.setTimeout(120_000);

const LAB = 'three-steps';
let labsDir: string;
let berth: Berth;
let owner: Instructor;
let teacher: Socket;
let sessionId: string;
let adaSocket: ClientSocket;

beforeAll(async () => {
  labsDir = liveLabsDir();
  berth = await startBerth('ct-editor-takeover', { BERTH_LABS_DIR: labsDir });
  owner = await setupOwner(berth);
  const cls = await createClass(berth, owner, 'Period 4', [LAB]);
  const ada = await joinClass(berth, cls.joinCode.code!, 'Ada');
  sessionId = await startLab(berth, ada, LAB);
  await waitState(berth, sessionId, 'running');
  // A takeover is of an open terminal: the student's page has it attached.
  adaSocket = await connect(berth.url, ada.cookie);
  expect(await ask(adaSocket, 'session:watch', { sessionId })).toEqual({ ok: true });
  expect((await new TermClient(adaSocket, sessionId, 'box').attach('box')).ok).toBe(true);
  teacher = await instructorSocket(berth.url, owner.cookie);
});

afterAll(async () => {
  teacher?.close();
  adaSocket?.close();
  await berth?.dispose();
  if (berth) await removeInstanceObjects(berth.instance);
  if (labsDir) fs.rmSync(labsDir, { recursive: true, force: true });
});

const save = (cookie: string, content: string) =>
  fetch(`${berth.url}/api/sessions/${sessionId}/machines/box/fs/file?path=/root/help.txt`, {
    method: 'PUT',
    headers: { cookie, 'content-type': 'application/json' },
    body: JSON.stringify({ content, expectedHash: null, force: true }),
  });

test('an instructor edits a student file only while taking over', async () => {
  expect((await save(owner.cookie, 'watching only\n')).status).toBe(404);
  expect(await emitAck(teacher, 'terminal:takeover', { sessionId, terminalId: 'box', active: true })).toEqual({ ok: true });
  expect((await save(owner.cookie, 'helped by the teacher\n')).status).toBe(200);
  const row = berth.server.ctx.sessions.get(sessionId)!;
  const out = await berth.server.ctx.backend.exec(row.backendState as never, 'box', 'cat /root/help.txt', { timeoutMs: 10_000, outputCapBytes: 4096 });
  expect(out.stdout).toBe('helped by the teacher\n');
  expect(await emitAck(teacher, 'terminal:takeover', { sessionId, terminalId: 'box', active: false })).toEqual({ ok: true });
  expect((await save(owner.cookie, 'after the takeover\n')).status).toBe(404);
});
