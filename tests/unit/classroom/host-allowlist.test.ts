import type os from 'node:os';
import { HostAllowlist, hostnameOf } from '../../../server/http/host-allowlist';
import { loadConfig } from '../../../server/config';

const system = {
  hostname: () => 'classroom-pc',
  networkInterfaces: (() => ({
    lo: [{ address: '127.0.0.1' }, { address: '::1' }],
    eth0: [{ address: '192.168.1.20' }, { address: 'fe80::1%eth0' }],
  })) as unknown as typeof os.networkInterfaces,
};

function allowlist(env: Record<string, string> = {}): HostAllowlist {
  return HostAllowlist.fromConfig(loadConfig({ BERTH_DATA_DIR: '/tmp/x', ...env }), system);
}

describe('host allowlist', () => {
  test('by default: loopback names and addresses, the host name and its own addresses, with or without a port', () => {
    const hosts = allowlist();
    for (const h of ['localhost', 'localhost:8080', '127.0.0.1:8080', '127.5.6.7', '[::1]:8080', 'classroom-pc:8080', 'CLASSROOM-PC', '192.168.1.20:8080', '[fe80::1]:8080']) {
      expect([h, hosts.allows(h)]).toEqual([h, true]);
    }
  });

  test('anything else is refused: rebinding names, other addresses, junk and a missing Host', () => {
    const hosts = allowlist();
    for (const h of ['evil.example', 'evil.example:8080', '192.168.1.21', 'localhost.evil.example', '127.0.0.1.evil.example', '', 'a b', '[::1', undefined]) {
      expect([h, hosts.allows(h)]).toEqual([h, false]);
    }
  });

  test('BERTH_PUBLIC_URL and BERTH_ALLOWED_HOSTS add names; *.domain adds its subdomains', () => {
    const hosts = allowlist({ BERTH_PUBLIC_URL: 'https://berth.school.example/', BERTH_ALLOWED_HOSTS: 'lab.local, *.rooms.school.example' });
    for (const h of ['berth.school.example', 'berth.school.example:443', 'lab.local:8080', 'r101.rooms.school.example']) expect([h, hosts.allows(h)]).toEqual([h, true]);
    for (const h of ['school.example', 'rooms.school.example', 'xrooms.school.example']) expect([h, hosts.allows(h)]).toEqual([h, false]);
  });

  test("origins are judged by their host against the list, whatever the request's own Host", () => {
    const hosts = allowlist();
    expect(hosts.allowsOrigin('http://localhost:5173')).toBe(true);
    expect(hosts.allowsOrigin('http://192.168.1.20:8080')).toBe(true);
    expect(hosts.allowsOrigin('http://evil.example')).toBe(false);
    expect(hosts.allowsOrigin('file://localhost')).toBe(false);
    expect(hosts.allowsOrigin('null')).toBe(false);
  });

  test('an address the host gains after start (DHCP) is allowed without a restart', () => {
    const addrs = [{ address: '127.0.0.1' }];
    const changing = { hostname: () => 'pc', networkInterfaces: (() => ({ eth0: addrs })) as unknown as typeof os.networkInterfaces };
    const hosts = HostAllowlist.fromConfig(loadConfig({ BERTH_DATA_DIR: '/tmp/x' }), changing);
    expect(hosts.allows('10.0.0.7:8080')).toBe(false);
    addrs.push({ address: '10.0.0.7' });
    expect(hosts.allows('10.0.0.7:8080')).toBe(true);
    expect(hosts.allows('10.0.0.8')).toBe(false);
  });

  test('host header parsing', () => {
    expect(hostnameOf('Example.COM.:80')).toBe('example.com');
    expect(hostnameOf('[::1]:80')).toBe('::1');
    expect(hostnameOf('a'.repeat(64))).toBeNull();
    expect(hostnameOf('a'.repeat(40) + '!'.repeat(40))).toBeNull();
  });
});
