import fs from 'node:fs';
import path from 'node:path';
import { CHECK_KINDS } from '../../../server/checks/kinds';

test('every check kind file in server/checks/kinds is registered under its name', async () => {
  const dir = path.join(__dirname, '../../../server/checks/kinds');
  const modules = await Promise.all(fs.readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => import(path.join(dir, f)) as Promise<Record<string, unknown>>));
  const kinds = modules
    .flatMap((m) => Object.values(m))
    .filter((v): v is { name: string } => typeof v === 'object' && v !== null && 'validate' in v && 'run' in v);
  expect(kinds.map((k) => k.name)).toContain('script');
  for (const k of kinds) expect(CHECK_KINDS[k.name]).toBe(k);
});
