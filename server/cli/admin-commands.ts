import path from 'node:path';
import readline from 'node:readline';
import type { Command } from 'commander';
import { ClassroomError } from '../classroom/errors';
import { createClassroom } from '../classroom/services';
import { loadConfig, type BerthConfig } from '../config';
import type { InstructorRole } from '../contracts/classroom';
import { EventBus } from '../events';
import { LabCatalog } from '../labs/catalog';
import { Store } from '../store/database';

/**
 * `berth admin …`: instructor accounts from the command line
 * (`docker compose exec berth berth admin …`). They work on the database
 * directly, beside a running server; passwords are read from standard input
 * (a prompt without echo on a terminal), never from the command line where
 * `ps` and shell history would keep them.
 */

export interface AdminCommandContext {
  out?: (line: string) => void;
  err?: (line: string) => void;
  /** Where the password comes from; default: stdin. */
  readPassword?: (prompt: string) => Promise<string>;
}

function openClassroom(config: BerthConfig) {
  const store = new Store(path.join(config.dataDir, 'berth.sqlite'));
  // Accounts need no labs: the data folder holds none, so the catalog stays empty and quiet.
  const classroom = createClassroom(config, store, new LabCatalog(config.dataDir), new EventBus());
  return { store, classroom };
}

export function readPasswordFromStdin(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const tty = process.stdin.isTTY;
    const rl = readline.createInterface({ input: process.stdin, output: tty ? process.stderr : undefined, terminal: tty });
    if (tty) {
      process.stderr.write(prompt);
      // Mute the echo of what is typed.
      (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = () => undefined;
    }
    rl.once('line', (line) => {
      rl.close();
      if (tty) process.stderr.write('\n');
      resolve(line);
    });
    rl.once('close', () => reject(new Error('no password given on standard input')));
  });
}

export function registerAdminCommands(program: Command, ctx: AdminCommandContext = {}): void {
  const out = ctx.out ?? ((line: string) => console.log(line));
  const err = ctx.err ?? ((line: string) => console.error(line));
  const readPassword = ctx.readPassword ?? readPasswordFromStdin;

  const run = async (work: (c: ReturnType<typeof openClassroom>, config: BerthConfig) => Promise<void> | void) => {
    const config = loadConfig();
    const opened = openClassroom(config);
    try {
      await work(opened, config);
    } catch (e) {
      err(`berth admin: ${e instanceof ClassroomError || e instanceof Error ? e.message : String(e)}`);
      process.exitCode = 1;
    } finally {
      opened.store.close();
    }
  };

  const admin = program.command('admin').description('instructor accounts: first-start link, create, reset a password');

  admin
    .command('setup-link')
    .description('print the one-time link that creates the first instructor (only while none exists)')
    .action(() =>
      run(({ classroom }, config) => {
        const link = classroom.instructors.setupLink(config.classroom.publicUrl || `http://localhost:${config.port}`);
        if (link) out(link);
        else {
          err('berth admin: an instructor exists already; log in, or use `berth admin reset-password LOGIN`');
          process.exitCode = 1;
        }
      }),
    );

  admin
    .command('create')
    .description('create an instructor (password read from standard input)')
    .requiredOption('--login <login>', 'login name or email address')
    .requiredOption('--name <name>', 'display name')
    .option('--role <role>', 'owner or instructor (default: owner on an empty Berth, as the setup link makes; instructor after)')
    .action((opts: { login: string; name: string; role?: string }) =>
      run(async ({ classroom }) => {
        const role = opts.role ?? (classroom.instructors.needsSetup() ? 'owner' : 'instructor');
        if (role !== 'owner' && role !== 'instructor') throw new Error(`--role: "${role}" must be owner or instructor`);
        const password = await readPassword(`Password for ${opts.login}: `);
        const made = await classroom.instructors.create(null, { login: opts.login, name: opts.name, password, role: role as InstructorRole });
        out(`created ${made.role} "${made.login}" (${made.name})`);
      }),
    );

  admin
    .command('reset-password <login>')
    .description("set an instructor's password (read from standard input) and end all their logins")
    .action((login: string) =>
      run(async ({ classroom }) => {
        const password = await readPassword(`New password for ${login}: `);
        const done = await classroom.instructors.resetPassword(login, password);
        out(`password of "${done.login}" changed; every login session of theirs has ended`);
      }),
    );
}
