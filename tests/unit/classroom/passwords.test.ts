import { hashPassword, passwordProblem, verifyPassword } from '../../../server/classroom/passwords';

describe('instructor passwords', () => {
  test('scrypt with a per-user salt: the same password hashes differently, both verify', async () => {
    const a = await hashPassword('correct horse battery staple');
    const b = await hashPassword('correct horse battery staple');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(a).not.toContain('horse');
    expect(await verifyPassword('correct horse battery staple', a)).toBe(true);
    expect(await verifyPassword('correct horse battery staple', b)).toBe(true);
  });

  test('a wrong password, a changed hash or a malformed one never verifies', async () => {
    const h = await hashPassword('correct horse battery staple');
    expect(await verifyPassword('correct horse battery stapler', h)).toBe(false);
    expect(await verifyPassword('', h)).toBe(false);
    const parts = h.split('$');
    parts[5] = Buffer.alloc(32).toString('base64url');
    expect(await verifyPassword('correct horse battery staple', parts.join('$'))).toBe(false);
    expect(await verifyPassword('x', 'not a hash')).toBe(false);
    expect(await verifyPassword('x', 'scrypt$99999999$8$1$aa$bb')).toBe(false); // absurd cost refused, not computed
  });

  test('Unicode forms of the same password verify alike', async () => {
    const h = await hashPassword('caf\u00e9 au lait please');
    expect(await verifyPassword('cafe\u0301 au lait please', h)).toBe(true);
  });

  test('length is the rule, named by field', () => {
    expect(passwordProblem('short')).toMatch(/^password: use at least 10/);
    expect(passwordProblem('x'.repeat(201))).toMatch(/^password: use at most 200/);
    expect(passwordProblem('ten chars!')).toBeNull();
  });
});
