import fs from 'node:fs';
import path from 'node:path';

let cached: string | undefined;

/** The folder holding Berth's package.json, whether running from source or from dist/. */
export function projectRoot(): string {
  if (cached) return cached;
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json')) || !fs.existsSync(path.join(dir, 'images'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find Berth's project root above ${__dirname}`);
    dir = parent;
  }
  cached = dir;
  return dir;
}
