/**
 * What every LabBackend must do, as server/backend/lab-backend.ts documents
 * it: one suite, run against each backend by its own test file (docker.test.ts
 * on the real engine, fake.test.ts in memory). A new backend (Kubernetes, see
 * docs/architecture.md) is done when a third file calling `conformance` passes.
 *
 * The scripts use only what the fake's interpreter knows (echo, touch, cat,
 * test, exit, sleep), so both backends run the same words.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { MachinePathNotFound, MachineUnavailable, StateMismatch, UnknownMachine, type BackendState, type LabBackend, type SessionSpec } from '../../server/backend/lab-backend';
import { newSessionId } from '../../server/sessions/session-id';

export interface BackendUnderTest {
  backend: LabBackend;
  /** Removes whatever the suite left (it tries to leave nothing). */
  cleanup(): Promise<void>;
  /** A machine stops behind the backend's back (the OOM killer, a `docker kill` by hand), as the engine would see it. */
  loseMachine(state: BackendState, machine: string): Promise<void>;
}

const LIMITS = { timeoutMs: 15_000, outputCapBytes: 64 * 1024 };

function spec(sessionId = newSessionId(), image = 'shell', names = ['box']): SessionSpec {
  return { sessionId, labId: 'conformance', studentId: 'conformance-student', machines: names.map((name) => ({ name, image, docker: false, env: {}, files: [] })) };
}

async function waitFor(what: string | (() => string), probe: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function untar(stream: Readable): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const extract = tar.extract();
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, body, next) => {
      const chunks: Buffer[] = [];
      body.on('data', (c: unknown) => {
        chunks.push(Buffer.from(c as Uint8Array));
      });
      body.on('end', () => {
        if (header.type === 'file') files.set(header.name, Buffer.concat(chunks).toString());
        next();
      });
      body.resume();
    });
    extract.on('finish', () => resolve());
    extract.on('error', reject);
  });
  stream.pipe(extract);
  await done;
  return files;
}

export function conformance(name: string, make: () => Promise<BackendUnderTest>): void {
  describe(`LabBackend conformance: ${name}`, () => {
    let under: BackendUnderTest;
    let backend: LabBackend;
    let id: string;
    let state: BackendState;
    const hostDir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-conformance-'));

    beforeAll(async () => {
      under = await make();
      backend = under.backend;
      id = newSessionId();
      fs.writeFileSync(path.join(hostDir, 'notes.txt'), 'from the host\n');
      state = await backend.start(spec(id));
    }, 120_000);

    afterAll(async () => {
      await backend?.stop(state).catch(() => undefined);
      await under?.cleanup();
      fs.rmSync(hostDir, { recursive: true, force: true });
    }, 60_000);

    test('start returns a state tagged with the backend name; the session is running and listed', async () => {
      expect(state.backend).toBe(backend.name);
      expect(JSON.parse(JSON.stringify(state))).toEqual(state);
      expect(await backend.poll(state)).toBe('running');
      expect(await backend.listSessions()).toContain(id);
      await expect(backend.ping()).resolves.toBeUndefined();
    });

    test('exec: output and exit code; a failing script is an outcome, not an error', async () => {
      expect(await backend.exec(state, 'box', 'echo hello', LIMITS)).toMatchObject({ exitCode: 0, stdout: 'hello\n', timedOut: false, truncated: false });
      expect(await backend.exec(state, 'box', 'exit 3', LIMITS)).toMatchObject({ exitCode: 3, timedOut: false });
      expect((await backend.exec(state, 'box', 'no-such-command-anywhere', LIMITS)).exitCode).toBe(127);
    });

    test('exec runs in /root, and files persist between execs', async () => {
      await backend.exec(state, 'box', 'touch relative.txt', LIMITS);
      expect((await backend.exec(state, 'box', 'test -f /root/relative.txt', LIMITS)).exitCode).toBe(0);
    });

    test('exec: a script past its timeout is cut and says so; output past the cap is cut and says so', async () => {
      const slow = await backend.exec(state, 'box', 'sleep 30', { timeoutMs: 1000, outputCapBytes: 1024 });
      expect(slow.timedOut).toBe(true);
      expect(slow.exitCode).not.toBe(0);
      const loud = await backend.exec(state, 'box', `echo ${'x'.repeat(8000)}`, { timeoutMs: 10_000, outputCapBytes: 1000 });
      expect(loud.truncated).toBe(true);
      expect(Buffer.byteLength(loud.stdout)).toBeLessThanOrEqual(8001);
    }, 30_000);

    test('a machine the session does not have is UnknownMachine, everywhere', async () => {
      await expect(backend.exec(state, 'nope', 'true', LIMITS)).rejects.toThrow(UnknownMachine);
      await expect(backend.openShell(state, 'nope', { cols: 80, rows: 24 })).rejects.toThrow(UnknownMachine);
      await expect(backend.endpoint(state, 'nope', 80)).rejects.toThrow(UnknownMachine);
      await expect(backend.copyOut(state, 'nope', '/root')).rejects.toThrow(UnknownMachine);
    });

    test('a state written by another backend is refused, not misread', async () => {
      await expect(backend.poll({ backend: 'someone-else', sessionId: id })).rejects.toThrow(StateMismatch);
      await expect(backend.exec({ backend: backend.name, v: 999, sessionId: id }, 'box', 'true', LIMITS)).rejects.toThrow(StateMismatch);
    });

    test('copyIn puts a host folder into the machine; writeFile streams one file; copyOut reads them back as tar', async () => {
      await backend.copyIn(state, 'box', hostDir, '/root/in');
      expect((await backend.exec(state, 'box', 'cat /root/in/notes.txt', LIMITS)).stdout).toBe('from the host\n');
      const body = Buffer.from('written by the backend\n');
      await backend.writeFile(state, 'box', '/root', 'written.txt', Readable.from([body]), body.length);
      expect((await backend.exec(state, 'box', 'cat /root/written.txt', LIMITS)).stdout).toBe('written by the backend\n');
      expect(await untar(await backend.copyOut(state, 'box', '/root/written.txt'))).toEqual(new Map([['written.txt', 'written by the backend\n']]));
      expect((await untar(await backend.copyOut(state, 'box', '/root/in'))).get('in/notes.txt')).toBe('from the host\n');
    });

    test('copyOut of a path that does not exist is MachinePathNotFound', async () => {
      await expect(backend.copyOut(state, 'box', '/root/no-such-file')).rejects.toThrow(MachinePathNotFound);
    });

    test('a shell: bytes in, bytes out; endStaleShells ends it', async () => {
      const shell = await backend.openShell(state, 'box', { cols: 80, rows: 24 });
      let out = '';
      let exited = false;
      shell.onData((chunk) => (out += chunk.toString()));
      shell.onExit(() => (exited = true));
      shell.write('echo shell-marker-ok\r');
      // The command's own output line (the echo of the typed line ends in `ok\r\n` too, but follows `echo `).
      await waitFor(() => `the shell to answer (got ${JSON.stringify(out)})`, () => /[\r\n]shell-marker-ok\r?\n/.test(out));
      await backend.endStaleShells(state);
      await waitFor('the shell to end', () => exited);
      await backend.endStaleShells(state);
    }, 30_000);

    test('endpoint: where the proxy reaches a port of a machine', async () => {
      const ep = await backend.endpoint(state, 'box', 8080);
      expect(ep.port).toBe(8080);
      expect(typeof ep.host).toBe('string');
      expect(ep.host.length).toBeGreaterThan(0);
    });

    test('pause keeps files and stops the machine; resume brings it back', async () => {
      await backend.exec(state, 'box', 'touch /root/kept.txt', LIMITS);
      await backend.pause(state);
      expect(await backend.poll(state)).toBe('paused');
      await expect(backend.exec(state, 'box', 'true', LIMITS)).rejects.toThrow(MachineUnavailable);
      await expect(backend.openShell(state, 'box', { cols: 80, rows: 24 })).rejects.toThrow(MachineUnavailable);
      await backend.pause(state);
      state = await backend.resume(state);
      expect(await backend.poll(state)).toBe('running');
      expect((await backend.exec(state, 'box', 'test -f /root/kept.txt', LIMITS)).exitCode).toBe(0);
    }, 90_000);

    test('resume on a running session returns its state unchanged and leaves it running', async () => {
      await backend.exec(state, 'box', 'touch /root/still-here.txt', LIMITS);
      const again = await backend.resume(state);
      expect(again).toEqual(state);
      expect(await backend.poll(state)).toBe('running');
      expect((await backend.exec(state, 'box', 'test -f /root/still-here.txt', LIMITS)).exitCode).toBe(0);
    }, 60_000);

    test('a session with one machine lost and one running is partial; stop still removes it all', async () => {
      const pairId = newSessionId();
      const pair = await backend.start(spec(pairId, 'shell', ['box', 'side']));
      try {
        expect(await backend.poll(pair)).toBe('running');
        await under.loseMachine(pair, 'side');
        expect(await backend.poll(pair)).toBe('partial');
        expect((await backend.exec(pair, 'box', 'echo alive', LIMITS)).stdout).toBe('alive\n');
        await expect(backend.exec(pair, 'side', 'true', LIMITS)).rejects.toThrow(MachineUnavailable);
      } finally {
        await backend.stop(pair);
      }
      expect(await backend.poll(pair)).toBe('gone');
      expect(await backend.listSessions()).not.toContain(pairId);
    }, 90_000);

    test('sessions are apart; removeOrphans removes what is not kept and nothing else', async () => {
      const otherId = newSessionId();
      const other = await backend.start(spec(otherId));
      expect((await backend.exec(other, 'box', 'test -f /root/kept.txt', LIMITS)).exitCode).toBe(1);
      expect(await backend.removeOrphans(new Set([id]))).toBeGreaterThan(0);
      expect(await backend.listSessions()).not.toContain(otherId);
      expect(await backend.poll(other)).toBe('gone');
      expect(await backend.poll(state)).toBe('running');
      expect(await backend.removeOrphans(new Set([id]))).toBe(0);
    }, 90_000);

    test('a start that fails leaves nothing behind', async () => {
      const failedId = newSessionId();
      await expect(backend.start(spec(failedId, 'berth-no-such-image:never'))).rejects.toThrow();
      expect(await backend.listSessions()).not.toContain(failedId);
    }, 60_000);

    test('stop removes everything of the session and is safe to call twice', async () => {
      await backend.stop(state);
      expect(await backend.poll(state)).toBe('gone');
      expect(await backend.listSessions()).not.toContain(id);
      await backend.stop(state);
    }, 60_000);

    // Last: afterwards the backend fills no pool and may start nothing more.
    test('removeEverything (berth down) removes every session of this Berth and is safe to call twice', async () => {
      const lastId = newSessionId();
      await backend.start(spec(lastId));
      expect(await backend.removeEverything()).toBeGreaterThan(0);
      expect(await backend.listSessions()).toEqual([]);
      expect(await backend.removeEverything()).toBe(0);
    }, 90_000);
  });
}
