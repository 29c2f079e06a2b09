import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/**
 * `berth serve` as its own process (dist/ build), for what an in-process
 * server cannot show: signals, kill -9, the pid file, the CLI's commands.
 */
export const CLI = path.join(__dirname, '..', '..', 'dist', 'server', 'cli.js');
export const FIXTURE_LABS = path.join(__dirname, '..', 'fixtures', 'runtime-labs');

export interface ServeChild {
  child: ChildProcess;
  url: string;
  /** Everything it printed (JSON log lines). */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * The settings every test's Berth starts from: loopback on a free port, the fixture labs, no warm
 * pool, no auto-check timer (it would race with the checks a test runs on purpose), and open join
 * (most tests join by name alone; the classroom tests turn it off to test the door).
 */
export function testEnv(instance: string, dataDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    BERTH_PORT: '0',
    BERTH_HOST: '127.0.0.1',
    BERTH_LABS_DIR: FIXTURE_LABS,
    BERTH_DATA_DIR: dataDir,
    BERTH_WARM_POOL: '0',
    BERTH_INSTANCE: instance,
    BERTH_CHECK_INTERVAL: '0',
    BERTH_OPEN_JOIN: 'true',
    ...extra,
  };
}

/** testEnv on top of this process's environment, for a child process. */
export function baseEnv(instance: string, dataDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return { ...(process.env as Record<string, string>), ...testEnv(instance, dataDir, extra) };
}

export function serve(env: Record<string, string>): Promise<ServeChild> {
  const child = spawn(process.execPath, [CLI, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /serving .* on (http:\/\/[^:]+:\d+)/.exec(out);
      if (m) resolve({ child, url: m[1], output: () => out, exited });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then(({ code, signal }) => reject(new Error(`berth serve exited (${code ?? signal}) before serving:\n${out}`)));
  });
}

/** A CLI command run to the end: its exit code and what it printed. */
export function berth(args: string[], env: Record<string, string>): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}
