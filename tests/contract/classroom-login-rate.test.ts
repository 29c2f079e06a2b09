/**
 * Contract: instructor logins are limited per address as well as per
 * account. Every attempt from one address counts, whichever account it
 * names, so guessing across many accounts is slowed too; another address is
 * not held up. (Berth trusts X-Forwarded-For from a loopback proxy only,
 * which is how these requests come from two addresses.)
 */
import { api, setupInstructor, startBerth, type Berth, type InstructorLogin } from './harness';

let berth: Berth;
let owner: InstructorLogin;

beforeAll(async () => {
  berth = await startBerth('ct-login-rate', { BERTH_LOGIN_RATE_ADDRESS: '4', BERTH_LOGIN_RATE_ACCOUNT: '100' });
  owner = await setupInstructor(berth);
}, 60_000);

afterAll(async () => {
  await berth?.dispose();
});

const from = (address: string) => ({ 'x-forwarded-for': address });

test('past BERTH_LOGIN_RATE_ADDRESS attempts from one address, even the right password waits; another address does not', async () => {
  const guesser = from('203.0.113.7');
  for (const login of ['alice', 'bob', owner.login, 'carol']) {
    const r = await api(berth.url, 'POST', '/api/instructor/login', { body: { login, password: 'a wrong guess here' }, headers: guesser });
    expect([login, r.status]).toEqual([login, 401]);
  }
  const limited = await api(berth.url, 'POST', '/api/instructor/login', { body: { login: owner.login, password: owner.password }, headers: guesser });
  expect([limited.status, limited.json.code, limited.setCookie]).toEqual([429, 'rate_limited', null]);
  expect(limited.json.error).toMatch(/^Too many login attempts\. Try again in \d+ minute/);
  expect(limited.json.retryAfterSeconds).toBeGreaterThan(0);

  const elsewhere = await api(berth.url, 'POST', '/api/instructor/login', { body: { login: owner.login, password: owner.password }, headers: from('198.51.100.20') });
  expect(elsewhere.status).toBe(200);
  expect(elsewhere.setCookie).toMatch(/^berth_instructor=/);
});
