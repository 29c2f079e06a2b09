/** Find in the shown terminal's scrollback (Enter: next, Shift+Enter: previous). */
import { useState } from 'preact/hooks';
import type { TerminalHub } from './terminal-hub';

export function TermSearch({ hub, terminalId }: { hub: { current: TerminalHub | null }; terminalId: string }) {
  const [q, setQ] = useState('');
  const find = (back: boolean) => {
    const v = hub.current?.view(terminalId);
    if (!v || !q) return;
    if (back) v.search.findPrevious(q);
    else v.search.findNext(q);
  };
  return (
    <form
      class="term-search"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        find(false);
      }}
    >
      <input type="search" aria-label="Find in terminal" placeholder="Find in terminal" value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} onKeyDown={(e) => e.key === 'Enter' && e.shiftKey && (e.preventDefault(), find(true))} />
    </form>
  );
}
