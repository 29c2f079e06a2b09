/**
 * `berth serve` (dist/) as a child process of a benchmark, so that its memory
 * and CPU are its own: started on a free port with a fresh data folder and
 * instance, and stopped with everything it left removed. Also the generic
 * "start a node script and wait for its listening line" that it is built on.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { berthEnv, removeInstance, RUNTIME_LABS } from './util';

const CLI = path.join(__dirname, '..', '..', 'dist', 'server', 'cli.js');

/** Starts `node ...args`, resolving once its output (stdout and stderr) matches `listening`. */
export function serveChild(
  args: string[],
  env: NodeJS.ProcessEnv,
  listening: RegExp,
  what: string,
  onOutput?: (text: string) => void,
): Promise<{ child: ChildProcess; match: RegExpExecArray; exited: Promise<void> }> {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      onOutput?.(text);
      // Only the last of it: a server logging at info for an hour must not be held here.
      out = (out + text).slice(-100_000);
      const m = listening.exec(out);
      if (m) resolve({ child, match: m, exited });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${what} exited (${code}) before serving:\n${out.slice(-2000)}`)));
  });
}

/** `berth serve` with exactly `env`, resolving with its URL once it says it is serving. */
export async function serveBerth(env: NodeJS.ProcessEnv, onOutput?: (text: string) => void): Promise<{ child: ChildProcess; url: string; exited: Promise<void> }> {
  const { child, match, exited } = await serveChild([CLI, 'serve'], env, /serving .* on (http:\/\/[^:]+:\d+)/, 'berth serve', onOutput);
  return { child, url: match[1], exited };
}

export interface BerthChild {
  child: ChildProcess;
  url: string;
  instance: string;
  dataDir: string;
  /** Closes `sockets`, stops the server (SIGTERM, then waits for it), and removes its instance's objects and data folder. */
  stop(sockets?: Iterable<{ close(): void }>): Promise<void>;
}

export interface BerthChildOptions {
  /** Where the data folder is made, under the system's temporary folder. */
  dataDirPrefix?: string;
  /** Added to (or replacing) the defaults of berthEnv: a warm pool, a session limit, a log level. */
  env?: Record<string, string>;
  /** Every chunk the server prints, as it comes. */
  onOutput?: (text: string) => void;
}

/** `berth serve` on 127.0.0.1 and a free port, the runtime fixture labs, open join, no warm pool; instance `<instancePrefix>-<random>`. */
export async function startBerth(instancePrefix: string, options: BerthChildOptions = {}): Promise<BerthChild> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), options.dataDirPrefix ?? 'berth-bench-'));
  const instance = `${instancePrefix}-${crypto.randomBytes(3).toString('hex')}`;
  const env = { ...process.env, ...berthEnv(RUNTIME_LABS, dataDir, instance), ...options.env };
  const { child, url, exited } = await serveBerth(env, options.onOutput);
  return {
    child,
    url,
    instance,
    dataDir,
    async stop(sockets = []) {
      for (const s of sockets) s.close();
      child.kill('SIGTERM');
      await exited;
      await removeInstance(instance, dataDir);
    },
  };
}
