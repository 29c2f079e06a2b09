import path from 'node:path';
import type Database from 'better-sqlite3';
import type { BackendState } from '../backend/lab-backend';
import type { LabDefinition, ScriptBlock } from '../labs/types';
import { sessionLog } from '../log';
import type { ScriptRunner } from './script-runner';

/** Types text into the session's main terminal on a machine; false when none is open. */
export type TypeIntoTerminal = (sessionId: string, machine: string, text: string) => boolean;

/**
 * The one owner of step setup. Every step, the first included, follows one
 * rule: hidden blocks run in the machine when the student reaches the step;
 * visible blocks are typed into the student's terminal on their machine, at
 * once if it is open, otherwise as soon as it opens. What has run is stored
 * per block (table step_setup), so a restart neither repeats a setup nor
 * forgets one still waiting for its terminal. The session manager calls
 * `forget` once a session's machines are gone.
 *
 * Step 0 differs only in when it is reached: while the lab starts, after the
 * lab's own setup, and a hidden block of step 0 that fails fails the start
 * (the student would otherwise begin on a broken machine).
 */
export class StepSetup {
  constructor(
    private readonly db: Database.Database,
    private readonly runner: ScriptRunner,
    private readonly typeIntoTerminal: TypeIntoTerminal = () => false,
  ) {}

  /** While a lab starts: the lab's setup, then step 0. Throws `ScriptFailed` when a hidden block fails. */
  async prepare(sessionId: string, lab: LabDefinition, state: BackendState): Promise<void> {
    await this.runner.runAll(state, lab.setup, `lab setup in ${labFile(lab)}`);
    await this.enter(sessionId, lab, state, 0, { failFast: true });
  }

  /**
   * The student reached step `index`. Runs its setup once per session; a
   * failing hidden block after the start is logged (the student can still read
   * and try the step; the check will tell them what is missing).
   */
  async enter(sessionId: string, lab: LabDefinition, state: BackendState, index: number, opts: { failFast?: boolean } = {}): Promise<void> {
    const step = lab.steps[index];
    if (!step || step.setup.length === 0 || this.entered(sessionId, index)) return;
    const insert = this.db.prepare('INSERT OR IGNORE INTO step_setup (session_id, step, block, done_at) VALUES (?, ?, ?, NULL)');
    this.db.transaction(() => step.setup.forEach((_b, i) => insert.run(sessionId, index, i)))();
    for (const [i, block] of step.setup.entries()) {
      if (block.visible) {
        this.typeIfOpen(sessionId, index, i, block);
        continue;
      }
      try {
        await this.runner.runAll(state, [block], `setup of step ${index + 1} in ${labFile(lab)}`);
      } catch (err) {
        if (opts.failFast) throw err;
        sessionLog(sessionId).warn({ step: index, line: block.line, err: String(err) }, `setup of step ${index + 1} failed`);
      }
      this.markDone(sessionId, index, i);
    }
  }

  /**
   * A main terminal on `machine` is open (the student's page attached it):
   * type every visible block still waiting for it, in step and block order.
   */
  terminalOpened(sessionId: string, lab: LabDefinition, machine: string): void {
    for (const { step, block } of this.waiting(sessionId)) {
      const def = lab.steps[step]?.setup[block];
      // The lab was edited under a running session: that block no longer exists, nothing to type.
      if (!def) this.markDone(sessionId, step, block);
      else if (def.machine === machine) this.typeIfOpen(sessionId, step, block, def);
    }
  }

  /** Steps whose setup has begun in this session (for tests and the admin). */
  enteredSteps(sessionId: string): number[] {
    return (this.db.prepare('SELECT DISTINCT step FROM step_setup WHERE session_id = ? ORDER BY step').all(sessionId) as Array<{ step: number }>).map((r) => r.step);
  }

  /** Visible blocks still waiting for their terminal. */
  waiting(sessionId: string): Array<{ step: number; block: number }> {
    return this.db.prepare('SELECT step, block FROM step_setup WHERE session_id = ? AND done_at IS NULL ORDER BY step, block').all(sessionId) as Array<{ step: number; block: number }>;
  }

  forget(sessionId: string): void {
    this.db.prepare('DELETE FROM step_setup WHERE session_id = ?').run(sessionId);
  }

  private entered(sessionId: string, index: number): boolean {
    return this.db.prepare('SELECT 1 FROM step_setup WHERE session_id = ? AND step = ? LIMIT 1').get(sessionId, index) !== undefined;
  }

  private typeIfOpen(sessionId: string, step: number, i: number, block: ScriptBlock): void {
    if (this.typeIntoTerminal(sessionId, block.machine, `${block.script.trimEnd()}\r`)) this.markDone(sessionId, step, i);
  }

  private markDone(sessionId: string, step: number, block: number): void {
    this.db.prepare('UPDATE step_setup SET done_at = ? WHERE session_id = ? AND step = ? AND block = ?').run(Date.now(), sessionId, step, block);
  }
}

/** The lab file by its name only: the message reaches the student, the host's paths must not. */
function labFile(lab: LabDefinition): string {
  return path.basename(lab.source.file);
}

/**
 * Resolves once a new shell has printed something (its prompt), or after
 * `maxMs`. Text typed before the shell reads its terminal is echoed twice:
 * once by the terminal driver, once by the shell's line editor.
 */
export async function shellReady(terminal: { readonly end: number; readonly alive: boolean }, maxMs = 3000, everyMs = 50): Promise<void> {
  for (let waited = 0; terminal.alive && terminal.end === 0 && waited < maxMs; waited += everyMs) {
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
