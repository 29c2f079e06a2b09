import { Readable } from 'node:stream';
import type { InstructorIdentity } from '../../../server/classroom';
import { SessionDoor, type Caller } from '../../../server/sessions/session-door';
import { SessionError } from '../../../server/sessions/session-error';
import type { TerminalViewer } from '../../../server/terminal/terminal';
import { started, student, world, type World } from './fake-world';

/** The one door from a request to a session's machines, on the fake backend: who gets in, and when. */
describe('session door', () => {
  let w: World;
  let door: SessionDoor;
  const teacher: InstructorIdentity = { id: 'i1', name: 'Grace', login: 'grace', role: 'instructor', loginId: 'l1' };
  const stranger: InstructorIdentity = { ...teacher, id: 'i2', name: 'Mallory', loginId: 'l2' };
  let taking = false;

  beforeEach(() => {
    w = world();
    taking = false;
    door = new SessionDoor({
      sessions: w.sessions,
      backend: w.backend,
      catalog: w.catalog,
      terminals: w.terminals,
      teaches: (instructor) => instructor.id === teacher.id,
      takingOver: (instructorId) => taking && instructorId === teacher.id,
      keyFor: (sessionId) => `key-of-${sessionId}`.padEnd(22, 'x'),
    });
  });
  afterEach(async () => w.close());

  const refusal = (fn: () => unknown): string => {
    try {
      fn();
    } catch (err) {
      if (err instanceof SessionError) return err.code;
      throw err;
    }
    return 'admitted';
  };

  test('only the owner, a teacher of the class or the port key gets in; everyone else is told there is no such session', async () => {
    const ada = student(w, 'Ada');
    const bob = student(w, 'Bob');
    const id = await started(w, ada, 'hello');
    const callers: Array<[string, Caller]> = [
      ['owner', { student: ada }],
      ['another student', { student: bob }],
      ['nobody', null],
      ['teacher', { instructor: teacher }],
      ['another instructor', { instructor: stranger }],
      ['port key', { portKey: `key-of-${id}`.padEnd(22, 'x') }],
      ['wrong port key', { portKey: 'x'.repeat(22) }],
      ['short port key', { portKey: 'x' }],
    ];
    expect(callers.map(([who, c]) => [who, refusal(() => door.open(id, c))])).toEqual([
      ['owner', 'admitted'],
      ['another student', 'not_found'],
      ['nobody', 'not_found'],
      ['teacher', 'admitted'],
      ['another instructor', 'not_found'],
      ['port key', 'admitted'],
      ['wrong port key', 'not_found'],
      ['short port key', 'not_found'],
    ]);
    expect(refusal(() => door.open('aaaaaaaaaaaa', { student: ada }))).toBe('not_found');
    // Several callers (one browser, two cookies): one admitted is enough.
    expect(refusal(() => door.open(id, [{ student: bob }, { instructor: teacher }]))).toBe('admitted');
  });

  test('the editor during a takeover: a teacher gets in only while taking over', async () => {
    const id = await started(w, student(w), 'hello');
    expect(refusal(() => door.open(id, { instructor: teacher, takingOver: true }))).toBe('not_found');
    taking = true;
    expect(refusal(() => door.open(id, { instructor: teacher, takingOver: true }))).toBe('admitted');
    expect(refusal(() => door.open(id, { instructor: stranger, takingOver: true }))).toBe('not_found');
  });

  test('running: a queued, paused or ended lab is a conflict; a running one hands out its typed state', async () => {
    const ada = student(w);
    const id = await started(w, ada, 'hello');
    const handle = door.open(id, { student: ada }, { running: true });
    expect(handle.state.backend).toBe('fake');
    expect(handle.studentId).toBe(ada);
    await w.sessions.pause(id);
    expect(refusal(() => door.open(id, { student: ada }, { running: true }))).toBe('conflict');
    // Without `running` the session is still there to look at (REST status, resume).
    expect(door.open(id, { student: ada }).row.state).toBe('paused');
    expect(refusal(() => door.open(id, { student: ada }).state)).toBe('conflict');
    await w.sessions.stop(id);
    expect(refusal(() => door.open(id, { student: ada }, { running: true }))).toBe('conflict');
  });

  test('a stored state of another backend, or with no tag, is unavailable, never handed to the backend', async () => {
    const ada = student(w);
    const id = await started(w, ada, 'hello');
    const real = w.sessions.get(id)!.backendState!;
    for (const bad of [{ ...real, backend: 'docker' }, { machines: [] }, { ...real, v: 0 }, { ...real, v: 'two' }]) {
      w.store.updateSession(id, { backendState: bad });
      expect([bad, refusal(() => door.open(id, { student: ada }, { running: true }))]).toEqual([bad, 'unavailable']);
    }
    w.store.updateSession(id, { backendState: real });
    expect(refusal(() => door.open(id, { student: ada }, { running: true }))).toBe('admitted');
  });

  test('machines: one the lab does not have is not_found; files go in and out through the handle', async () => {
    const ada = student(w);
    const id = await started(w, ada, 'hello');
    const handle = door.open(id, { student: ada }, { running: true });
    expect(refusal(() => handle.machine('nope'))).toBe('not_found');
    await expect(handle.endpoint('nope', 80)).rejects.toMatchObject({ code: 'not_found' });
    await expect(handle.endpoint('docker', 8080)).resolves.toEqual({ host: '127.0.0.1', port: 8080 });
    await handle.writeFile('docker', '/root', 'notes.txt', Readable.from([Buffer.from('hi\n')]), 3);
    const tar = await handle.copyOut('docker', '/root/notes.txt');
    let bytes = 0;
    for await (const chunk of tar) bytes += (chunk as Buffer).length;
    expect(bytes).toBeGreaterThan(3);
    await expect(handle.copyOut('docker', '/root/missing')).rejects.toMatchObject({ code: 'not_found', message: 'There is no such file or folder in the machine.' });
  });

  test('terminals attach through the handle, to the lab\'s machines only', async () => {
    const ada = student(w);
    const id = await started(w, ada, 'hello');
    const handle = door.open(id, { student: ada }, { running: true });
    const viewer: TerminalViewer = {
      id: 'v1',
      owner: true,
      send: () => undefined,
      reset: () => undefined,
      exit: () => undefined,
      transportBacklog: () => 0,
    };
    await expect(handle.attachTerminal('nope', 'nope', viewer, 0, { cols: 80, rows: 24 })).rejects.toMatchObject({ code: 'not_found' });
    const terminal = await handle.attachTerminal('docker', 'docker', viewer, 0, { cols: 80, rows: 24 });
    expect(terminal.alive).toBe(true);
    expect(w.terminals.get(id, 'docker')).toBe(terminal);
  });
});
