import { CookieSigner, originAllowed, parseCookies } from '../../../server/http/auth';
import { HostAllowlist } from '../../../server/http/host-allowlist';
import { parseProxyPath } from '../../../server/http/port-proxy';

describe('student cookie', () => {
  const signer = new CookieSigner('a-secret-of-enough-length');

  test('round-trips, and refuses edited ids, foreign signatures and junk', () => {
    const cookie = signer.sign('abc123');
    expect(signer.verify(cookie)).toBe('abc123');
    expect(signer.verify(cookie.replace('abc123', 'abc124'))).toBeNull();
    expect(new CookieSigner('another-secret-of-length').verify(cookie)).toBeNull();
    expect(signer.verify('abc123')).toBeNull();
    expect(signer.verify(undefined)).toBeNull();
    expect(signer.verify('.')).toBeNull();
  });

  test('cookie header parsing tolerates bad encodings', () => {
    expect(parseCookies('a=1; berth_student=x.y%3D; bad=%E0%A4%A')).toEqual({ a: '1', berth_student: 'x.y=' });
  });
});

describe('origin check', () => {
  const hosts = new HostAllowlist(['lab.school', 'localhost']);
  test('an Origin on the allowlist passes, other sites do not, an explicit list adds origins', () => {
    expect(originAllowed('http://lab.school:8080', hosts, [])).toBe(true);
    expect(originAllowed('http://evil.example', hosts, [])).toBe(false);
    expect(originAllowed('not a url', hosts, [])).toBe(false);
    expect(originAllowed('https://berth.school', hosts, ['https://berth.school'])).toBe(true);
    expect(originAllowed(undefined, hosts, [])).toBe(true);
  });

  test('the request\'s own Host is never the reference (DNS rebinding makes it the attacker\'s)', () => {
    // The old check passed whenever Origin and Host matched; a rebound name has both equal to evil.example.
    expect(originAllowed('http://evil.example:8080', hosts, [])).toBe(false);
  });
});

describe('port proxy addresses', () => {
  test('parse session, machine, port and the rest of the path with its query', () => {
    expect(parseProxyPath('/s/abcdefghij12/web/8080/a/b?x=1')).toEqual({ sessionId: 'abcdefghij12', machine: 'web', port: 8080, path: '/a/b?x=1' });
    expect(parseProxyPath('/s/abcdefghij12/web/80')).toEqual({ sessionId: 'abcdefghij12', machine: 'web', port: 80, path: '/' });
  });

  test('refuse malformed ids, machine names and ports', () => {
    expect(parseProxyPath('/s/short/web/80/')).toBeNull();
    expect(parseProxyPath('/s/abcdefghij12/Web/80/')).toBeNull();
    expect(parseProxyPath('/s/abcdefghij12/web/70000/')).toBeNull();
    expect(parseProxyPath('/s/abcdefghij12/web/0/')).toBeNull();
    expect(parseProxyPath('/api/labs')).toBeNull();
  });
});
