/**
 * In the documented deployment `.env` reaches Berth only through the
 * `environment:` list of docker-compose.yml: a setting missing there is
 * silently ignored. Every variable loadConfig reads must be on the list and
 * take its value from the variable of the same name.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../../server/config';

const root = path.join(__dirname, '..', '..', '..');

/** The BERTH_ variables loadConfig reads, seen by handing it an environment that records every lookup. */
function settingsRead(): string[] {
  const seen = new Set<string>();
  const env = new Proxy({} as NodeJS.ProcessEnv, {
    get(_target, key) {
      if (typeof key === 'string') seen.add(key);
      return undefined;
    },
  });
  loadConfig(env);
  return [...seen].filter((k) => k.startsWith('BERTH_')).sort();
}

/** Fixed inside the image on purpose: the data volume's paths. */
const FIXED = new Set(['BERTH_DATA_DIR', 'BERTH_CACHE_DIR']);

test('docker-compose.yml passes every setting Berth reads, each from the variable of the same name', () => {
  const compose = parse(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8')) as { services: { berth: { environment: Record<string, string> } } };
  const environment = compose.services.berth.environment;
  const read = settingsRead();
  expect(read.length).toBeGreaterThan(50);
  expect(read.filter((name) => !(name in environment))).toEqual([]);
  for (const [name, value] of Object.entries(environment)) {
    if (FIXED.has(name)) continue;
    expect([name, String(value).startsWith(`\${${name}:-`) || String(value).startsWith(`\${${name}-`)]).toEqual([name, true]);
  }
});
