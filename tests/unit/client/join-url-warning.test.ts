import { joinUrlWarning } from '../../../client/src/logic/join-url-warning';

describe('the join link warning', () => {
  test.each(['http://localhost:8080/#/join/ABC234', 'http://127.0.0.1:44429/#/join/ABC234', 'http://127.1.2.3/#/join/X', 'http://[::1]:8080/#/join/X', 'http://app.localhost/#/join/X'])(
    '%s is loopback: warned, naming BERTH_PUBLIC_URL',
    (url) => {
      expect(joinUrlWarning(url)).toMatch(/loopback.*BERTH_PUBLIC_URL/);
    },
  );

  test.each(['https://berth.school.example/#/join/ABC234', 'http://192.168.1.20:8080/#/join/X', 'http://10.0.0.5/#/join/X', 'http://berth/#/join/X'])('%s is reachable: no warning', (url) => {
    expect(joinUrlWarning(url)).toBeNull();
  });

  test('no link, or not a URL: nothing to warn about', () => {
    expect(joinUrlWarning(null)).toBeNull();
    expect(joinUrlWarning('not a url')).toBeNull();
  });
});
