import { FakeBackend } from '../../../server/backend/fake-backend';
import { stateOf } from '../../../server/sessions/session-manager';
import { openTerminal, settle, started, student, world, type World } from './fake-world';

/**
 * Step setup on the fake backend. The lab (tests/fixtures/runtime-labs/step-setup)
 * has a lab-level setup, a hidden and a visible block in step 0, and a visible
 * and a hidden block in step 1.
 */
describe('step setup', () => {
  let w: World;
  afterEach(async () => w.close());

  const files = (w: World, sessionId: string) => w.backend.machine(stateOf(w.sessions.get(sessionId)!)!, 'box').files;
  const typed = (w: World, sessionId: string) => w.backend.machine(stateOf(w.sessions.get(sessionId)!)!, 'box').typed;

  test('the lab setup and the hidden blocks of step 0 run while the lab starts', async () => {
    w = world();
    const id = await started(w, student(w), 'step-setup');
    expect(w.sessions.get(id)?.state).toBe('running');
    expect(files(w, id).has('/root/lab-setup.txt')).toBe(true);
    expect(files(w, id).has('/root/hidden-0.txt')).toBe(true);
    // Not executed behind the student's back: it waits for their terminal.
    expect(files(w, id).has('/root/visible-0.txt')).toBe(false);
    expect(w.backend.execs.map((e) => e.script)).not.toContain('echo typed-by-berth >> /root/visible-0.txt');
  });

  test('a visible block of step 0 is typed into the terminal once it opens (the bug: it never ran)', async () => {
    w = world();
    const id = await started(w, student(w), 'step-setup');
    expect(w.stepSetup.waiting(id)).toEqual([{ step: 0, block: 1 }]);
    const term = await openTerminal(w, id, 'box');
    await settle();
    expect(typed(w, id)).toBe('echo typed-by-berth >> /root/visible-0.txt\r');
    expect(term.output()).toContain('echo typed-by-berth >> /root/visible-0.txt');
    expect(files(w, id).get('/root/visible-0.txt')?.toString()).toBe('typed-by-berth\n');
    expect(w.stepSetup.waiting(id)).toEqual([]);
  });

  test('a terminal that opens again (a reload) types nothing twice', async () => {
    w = world();
    const id = await started(w, student(w), 'step-setup');
    await openTerminal(w, id, 'box');
    await openTerminal(w, id, 'box');
    expect(typed(w, id).match(/typed-by-berth/g)).toHaveLength(1);
  });

  test('a later step: the visible block is typed at once when the terminal is open, the hidden one executed, both once', async () => {
    w = world();
    const ada = student(w);
    const id = await started(w, ada, 'step-setup');
    await openTerminal(w, id, 'box');
    files(w, id).set('/root/one.txt', Buffer.alloc(0));
    expect((await w.progress.runCheck(id, 0, 'button'))?.status).toBe('passed');
    w.progress.goto(id, 1);
    await w.progress.runStepSetup(w.sessions.get(id)!, w.catalog.get('step-setup')!, 1);
    await settle();
    expect(typed(w, id)).toContain('touch /root/visible-1.txt\r');
    expect(files(w, id).has('/root/visible-1.txt')).toBe(true);
    expect(files(w, id).has('/root/hidden-1.txt')).toBe(true);
    const execsBefore = w.backend.execs.length;
    w.progress.goto(id, 0);
    w.progress.goto(id, 1);
    await settle();
    expect(w.backend.execs.length).toBe(execsBefore);
    expect(typed(w, id).match(/visible-1/g)).toHaveLength(1);
    expect(w.stepSetup.enteredSteps(id)).toEqual([0, 1]);
  });

  test('what ran is stored: after a restart nothing runs twice and a block still waiting is typed when the terminal opens', async () => {
    w = world();
    const id = await started(w, student(w), 'step-setup');
    const execs = w.backend.execs.length;
    w = w.restart();
    await w.sessions.reconcile();
    expect(w.sessions.get(id)?.state).toBe('running');
    expect(w.stepSetup.waiting(id)).toEqual([{ step: 0, block: 1 }]);
    await openTerminal(w, id, 'box');
    await settle();
    expect(files(w, id).has('/root/visible-0.txt')).toBe(true);
    await w.progress.runStepSetup(w.sessions.get(id)!, w.catalog.get('step-setup')!, 0);
    expect(w.backend.execs.length).toBe(execs);
  });

  test('the record goes with the session', async () => {
    w = world();
    const id = await started(w, student(w), 'step-setup');
    expect(w.stepSetup.enteredSteps(id)).toEqual([0]);
    await w.sessions.stop(id);
    expect(w.stepSetup.enteredSteps(id)).toEqual([]);
    expect(w.stepSetup.waiting(id)).toEqual([]);
  });

  test('a hidden block of step 0 that fails fails the start, names its line, and leaves no machine', async () => {
    const backend = new FakeBackend({ responder: ({ script }) => (script.includes('hidden-0') ? { exitCode: 1, stderr: 'disk full' } : undefined) });
    w = world({ backend });
    const id = await started(w, student(w), 'step-setup');
    const row = w.sessions.get(id)!;
    expect(row.state).toBe('failed');
    expect(row.error).toMatch(/setup of step 1 in lab\.md \(line \d+\) failed: disk full/);
    expect(backend.sessions.size).toBe(0);
    expect(w.stepSetup.enteredSteps(id)).toEqual([]);
  });

  test('a hidden block of a later step that fails is logged and the student goes on', async () => {
    const backend = new FakeBackend({ responder: ({ script }) => (script.includes('hidden-1') ? { exitCode: 2 } : undefined) });
    w = world({ backend });
    const id = await started(w, student(w), 'step-setup');
    files(w, id).set('/root/one.txt', Buffer.alloc(0));
    await w.progress.runCheck(id, 0, 'button');
    expect(w.progress.goto(id, 1).currentStep).toBe(1);
    await w.progress.runStepSetup(w.sessions.get(id)!, w.catalog.get('step-setup')!, 1);
    expect(w.sessions.get(id)?.state).toBe('running');
    expect(w.stepSetup.enteredSteps(id)).toEqual([0, 1]);
  });
});
