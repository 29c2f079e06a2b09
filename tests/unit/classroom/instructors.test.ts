import { AuditLog } from '../../../server/classroom/audit';
import { ClassroomError } from '../../../server/classroom/errors';
import { InstructorService } from '../../../server/classroom/instructors';
import { loadConfig } from '../../../server/config';
import { EventBus } from '../../../server/events';
import { Store } from '../../../server/store/database';

const meta = { address: '127.0.0.1', userAgent: 'jest' };

function setup(env: Record<string, string> = {}) {
  const store = new Store(':memory:');
  const bus = new EventBus();
  const instructors = new InstructorService(loadConfig(env), store, store.classroom, new AuditLog(store.classroom), bus);
  return { store, bus, instructors };
}

describe('instructors', () => {
  test('the setup token works once; two tabs racing it make one owner', async () => {
    const { store, instructors } = setup();
    const token = instructors.setupToken()!;
    expect(token).toMatch(/^[\w-]{20,}$/);
    expect(instructors.setupToken()).toBe(token); // stable until used: the log and the CLI agree
    const body = (login: string) => ({ token, name: 'Owner', login, password: 'a long enough password' });
    const results = await Promise.allSettled([instructors.setup(body('one'), meta), instructors.setup(body('two'), meta)]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(ClassroomError);
    expect(store.classroom.countInstructors()).toBe(1);
    expect(instructors.setupToken()).toBeNull();
    await expect(instructors.setup(body('three'), meta)).rejects.toMatchObject({ code: 'forbidden' });
    store.close();
  });

  test('a login is a random token stored only as a hash; revoking announces it for open sockets', async () => {
    const { store, bus, instructors } = setup();
    await instructors.create(null, { name: 'T', login: 'T@School.test', password: 'a long enough password', role: 'owner' });
    const { token, instructor } = await instructors.login('t@school.test', 'a long enough password', meta);
    expect(instructor.login).toBe('t@school.test');
    expect(instructors.identify(token)).toEqual(instructor);
    expect(JSON.stringify(store.db.prepare('SELECT * FROM instructor_logins').all())).not.toContain(token);
    expect(instructors.identify(token + 'x')).toBeNull();
    expect(instructors.identify(undefined)).toBeNull();

    const events: unknown[] = [];
    bus.on('instructorLoginsRevoked', (e) => events.push(e));
    instructors.revoke(instructor.id, [instructor.loginId]);
    expect(events).toEqual([{ instructorId: instructor.id, loginIds: [instructor.loginId] }]);
    expect(instructors.identify(token)).toBeNull();
    store.close();
  });

  test('an idle login expires', async () => {
    const { store, instructors } = setup({ BERTH_INSTRUCTOR_IDLE_MINUTES: '1' });
    await instructors.create(null, { name: 'T', login: 'idle', password: 'a long enough password', role: 'owner' });
    const { token, instructor } = await instructors.login('idle', 'a long enough password', meta);
    store.db.prepare('UPDATE instructor_logins SET expires_at = ? WHERE id = ?').run(Date.now() - 1, instructor.loginId);
    expect(instructors.identify(token)).toBeNull();
    store.close();
  });

  test('logins are rate-limited per address too', async () => {
    const { store, instructors } = setup({ BERTH_LOGIN_RATE_ADDRESS: '2', BERTH_LOGIN_RATE_ACCOUNT: '100' });
    await instructors.create(null, { name: 'T', login: 'addr', password: 'a long enough password', role: 'owner' });
    await expect(instructors.login('nobody1', 'x', meta)).rejects.toMatchObject({ code: 'unauthenticated' });
    await expect(instructors.login('nobody2', 'x', meta)).rejects.toMatchObject({ code: 'unauthenticated' });
    await expect(instructors.login('addr', 'a long enough password', meta)).rejects.toMatchObject({ code: 'rate_limited' });
    await expect(instructors.login('addr', 'a long enough password', { ...meta, address: '10.1.1.1' })).resolves.toBeDefined();
    store.close();
  });

  test('only owners add instructors; bad fields are named', async () => {
    const { store, instructors } = setup();
    const who = { id: 'x', name: 'x', login: 'x', role: 'instructor' as const, loginId: 'l' };
    await expect(instructors.create(who, { name: 'N', login: 'n', password: 'a long enough password', role: 'owner' })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(instructors.create(null, { name: 'N', login: 'a b', password: 'a long enough password', role: 'owner' })).rejects.toThrow(/^login:/);
    await expect(instructors.create(null, { name: 'N', login: 'nn', password: 'short', role: 'owner' })).rejects.toThrow(/^password:/);
    await expect(instructors.create(null, { name: 'N', login: 'nn', password: 'a long enough password', role: 'owner', classIds: ['nope'] })).rejects.toThrow(/^classIds:/);
    store.close();
  });
});
