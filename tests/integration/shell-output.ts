import type { ShellStream } from '../../server/backend/lab-backend';

/** Everything a shell prints from now on, and a wait for a pattern in it (15 s, then an error that shows the output). */
export function shellOutput(shell: ShellStream): { seen(re: RegExp): Promise<void> } {
  let out = '';
  shell.onData((chunk) => (out += chunk.toString('utf8')));
  return {
    async seen(re) {
      for (let waited = 0; !re.test(out); waited += 50) {
        if (waited > 15_000) throw new Error(`the shell never showed ${re}; it shows ${JSON.stringify(out)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}
