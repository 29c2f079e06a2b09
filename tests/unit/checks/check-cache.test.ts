import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The `cached` helper that checks starting containers define inline (checks
 * re-run every few seconds for a whole class, so a container runs once per
 * image and its result is replayed). It must keep definite results only: a
 * `docker run` that failed because the engine was busy (exit 125 and up, or a
 * kill) would otherwise fail the step until the image is rebuilt.
 */

const labsDir = path.join(__dirname, '../../../labs');
const definitions = fs
  .readdirSync(labsDir)
  .filter((d) => fs.existsSync(path.join(labsDir, d, 'lab.md')))
  .flatMap((d) => fs.readFileSync(path.join(labsDir, d, 'lab.md'), 'utf8').split('\n').filter((l) => l.startsWith('cached() {')));

function run(script: string): { out: string; rc: number } {
  try {
    return { out: execFileSync('bash', ['-c', `${definitions[0]}\n${script}`], { encoding: 'utf8' }).trim(), rc: 0 };
  } catch (err) {
    const e = err as { status: number; stdout: string };
    return { out: e.stdout.trim(), rc: e.status };
  }
}

const keys: string[] = [];
const key = () => {
  const k = `berth-unit-${crypto.randomBytes(4).toString('hex')}`;
  keys.push(k);
  return k;
};
afterAll(() => {
  for (const k of keys) for (const ext of ['out', 'rc', 'new']) fs.rmSync(`/tmp/.berth-check-cache/${k}.${ext}`, { force: true });
});

test('every lab defines cached the same way', () => {
  expect(definitions.length).toBeGreaterThanOrEqual(8);
  expect(new Set(definitions).size).toBe(1);
});

test('a definite result, pass or fail, is kept and replayed with its output', () => {
  const k = key();
  expect(run(`cached ${k} sh -c 'echo no python here; exit 1'`)).toEqual({ out: 'no python here', rc: 1 });
  expect(run(`cached ${k} sh -c 'echo ran again; exit 0'`)).toEqual({ out: 'no python here', rc: 1 });
  const ok = key();
  expect(run(`cached ${ok} echo fine`)).toEqual({ out: 'fine', rc: 0 });
  expect(run(`cached ${ok} false`)).toEqual({ out: 'fine', rc: 0 });
});

test.each([
  ['docker run could not start the container (125)', 125],
  ['the command could not be run (126)', 126],
  ['the process was killed (137)', 137],
])('%s is passed on but not kept', (_why, code) => {
  const k = key();
  expect(run(`cached ${k} sh -c 'echo docker: Error response from daemon; exit ${code}'`)).toEqual({ out: 'docker: Error response from daemon', rc: code });
  expect(fs.existsSync(`/tmp/.berth-check-cache/${k}.rc`)).toBe(false);
  // The next check runs the command again and keeps its definite result.
  expect(run(`cached ${k} sh -c 'echo APP-OK'`)).toEqual({ out: 'APP-OK', rc: 0 });
  expect(run(`cached ${k} false`)).toEqual({ out: 'APP-OK', rc: 0 });
});
