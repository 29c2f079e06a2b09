import { loadConfig, parseBytes } from '../../../server/config';

describe('configuration', () => {
  test('defaults are sensible with an empty environment', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8080);
    expect(c.docker.isolation).toBe('auto');
    expect(c.sessions.maxRunning).toBe(30);
    expect(c.docker.limits.machineMemoryBytes).toBe(2 * 1024 ** 3);
    expect(c.terminal.lowWatermark).toBeLessThan(c.terminal.highWatermark);
  });

  test('sizes accept the usual suffixes', () => {
    expect(parseBytes('512m', 'X')).toBe(512 * 1024 ** 2);
    expect(parseBytes('1.5g', 'X')).toBe(1.5 * 1024 ** 3);
    expect(parseBytes('64KiB', 'X')).toBe(64 * 1024);
    expect(parseBytes('1048576', 'X')).toBe(1048576);
  });

  test('bad values name the variable and say what was expected', () => {
    expect(() => loadConfig({ BERTH_PORT: 'eighty' })).toThrow('BERTH_PORT="eighty" is not a non-negative number');
    expect(() => loadConfig({ BERTH_ISOLATION: 'vm' })).toThrow('BERTH_ISOLATION=vm must be one of auto, privileged, sysbox, caps');
    expect(() => loadConfig({ BERTH_MACHINE_MEMORY: 'lots' })).toThrow('BERTH_MACHINE_MEMORY: "lots" is not a size');
  });
});
