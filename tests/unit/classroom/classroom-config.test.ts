import { loadConfig } from '../../../server/config';

describe('classroom configuration', () => {
  test('open practice is off unless turned on', () => {
    expect(loadConfig({}).classroom.openJoin).toBe(false);
    expect(loadConfig({ BERTH_OPEN_JOIN: 'true' }).classroom.openJoin).toBe(true);
    expect(loadConfig({ BERTH_OPEN_JOIN: 'off' }).classroom.openJoin).toBe(false);
  });

  test('bad values are refused naming the variable', () => {
    expect(() => loadConfig({ BERTH_OPEN_JOIN: 'maybe' })).toThrow(/BERTH_OPEN_JOIN/);
    expect(() => loadConfig({ BERTH_PUBLIC_URL: 'berth.school' })).toThrow(/BERTH_PUBLIC_URL/);
    expect(() => loadConfig({ BERTH_PUBLIC_URL: 'ftp://berth.school' })).toThrow(/BERTH_PUBLIC_URL/);
    expect(() => loadConfig({ BERTH_LOGIN_RATE_ACCOUNT: '-1' })).toThrow(/BERTH_LOGIN_RATE_ACCOUNT/);
  });

  test('public URL loses its trailing slash; allowed hosts are a trimmed, lower-case list', () => {
    const c = loadConfig({ BERTH_PUBLIC_URL: 'https://Berth.School/', BERTH_ALLOWED_HOSTS: ' A.example ,b.example,, ' }).classroom;
    expect(c.publicUrl).toBe('https://Berth.School');
    expect(c.allowedHosts).toEqual(['a.example', 'b.example']);
  });
});
