/**
 * The main terminal is opened when a lab becomes running, before the page asks
 * (server/terminal/preopen.ts), on the fake backend: the page attaching from
 * byte 0 gets the prompt the shell printed meanwhile, a session that already
 * has a terminal gets no second one, the caps hold, and a pre-opened terminal
 * nobody attaches to ends after the grace.
 */
import { FakeBackend } from '../../../server/backend/fake-backend';
import { storedState, type BackendState } from '../../../server/backend/lab-backend';
import { loadConfig } from '../../../server/config';
import { TerminalManager } from '../../../server/terminal/terminal-manager';
import type { TerminalViewer } from '../../../server/terminal/terminal';
import { preopenMainTerminals } from '../../../server/terminal/preopen';
import { FIXTURE_LABS, student, world, type World } from '../sessions/fake-world';

let w: World;
afterEach(async () => {
  await w?.close();
});

function viewer(id: string, into: string[]): TerminalViewer {
  return { id, owner: true, send: (_seq, data) => into.push(Buffer.from(data).toString()), reset: () => undefined, exit: () => undefined, transportBacklog: () => 0 };
}

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!ok()) throw new Error(`timed out waiting for ${what}`);
}

test('a lab that becomes running has its first machine\'s main terminal open before the page attaches, with the prompt in it', async () => {
  w = world();
  preopenMainTerminals(w.bus, w.terminals, w.store, w.catalog);
  const id = (await w.sessions.start(student(w), 'hello')).session.id;
  await until('the main terminal', () => (w.terminals.get(id, 'docker')?.end ?? 0) > 0);
  expect(w.terminals.hasTerminals(id)).toBe(true);
  const seen: string[] = [];
  const state = storedState(w.store.getSession(id)!.backendState)!;
  const terminal = await w.terminals.attach(id, state, 'docker', 'docker', viewer('page', seen), 0, { cols: 120, rows: 32 });
  // The same shell the pre-open started, not a second one.
  expect(terminal).toBe(w.terminals.get(id, 'docker'));
  expect(seen.join('')).toContain('$');
});

test('a running announcement for a session that has a terminal opens nothing more', async () => {
  w = world();
  const id = (await w.sessions.start(student(w), 'hello')).session.id;
  await until('running', () => w.store.getSession(id)?.state === 'running');
  const state = storedState(w.store.getSession(id)!.backendState)!;
  await w.terminals.attach(id, state, 'docker:2', 'docker', viewer('page', []), 0, { cols: 80, rows: 24 });
  preopenMainTerminals(w.bus, w.terminals, w.store, w.catalog);
  w.bus.emit('status', { sessionId: id, studentId: 'x', state: 'running', queuePosition: undefined, expiresAt: 0 } as never);
  await new Promise((r) => setTimeout(r, 50));
  expect(w.terminals.get(id, 'docker')).toBeUndefined();
  expect(w.terminals.count()).toBe(1);
});

test('pre-opening respects the per-machine cap and ends a terminal nobody attached to after the grace', async () => {
  const backend = new FakeBackend();
  const config = loadConfig({ BERTH_LABS_DIR: FIXTURE_LABS, BERTH_DATA_DIR: '/nonexistent', BERTH_TERMINALS_PER_MACHINE: '1' });
  const state: BackendState = await backend.start({ sessionId: 's1', labId: 'hello', studentId: 'a', machines: [{ name: 'docker', image: 'dind', docker: true, env: {}, files: [] }] });
  const terminals = new TerminalManager(backend, config, 100);
  await terminals.attach('s1', state, 'docker:2', 'docker', viewer('v', []), 0, { cols: 80, rows: 24 });
  await terminals.preopen('s1', state, 'docker');
  expect(terminals.get('s1', 'docker')).toBeUndefined();
  await terminals.close('s1', 'docker:2');
  await terminals.preopen('s1', state, 'docker');
  expect(terminals.get('s1', 'docker')?.alive).toBe(true);
  await until('the grace to end it', () => terminals.get('s1', 'docker') === undefined);
  await terminals.closeAll();
  await backend.shutdown();
});
