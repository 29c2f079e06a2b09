/**
 * The tab strip of the machines' pane: a terminal per machine (more on
 * request, closable), an editor per machine, the lab's web pages; then search
 * in the shown terminal and file transfer to its machine.
 */
import type { SessionView } from '../../../server/contracts/protocol';
import { FileTransfer } from './file-transfer';
import { TabButton } from './tab-button';
import { TermSearch } from './term-search';
import type { TerminalHub } from './terminal-hub';
import { terminalNumber, type TerminalRef } from './terminal-ids';

interface Props {
  session: SessionView;
  terminals: TerminalRef[];
  tab: string;
  setTab: (t: string) => void;
  running: boolean;
  hub: { current: TerminalHub | null };
  /** The terminal and machine of the shown tab ('' when it is not a terminal). */
  activeTerminal: string;
  activeMachine: string;
  onNewTerminal: () => void;
  onCloseTerminal: (id: string) => void;
}

export function TerminalTabs({ session, terminals, tab, setTab, running, hub, activeTerminal, activeMachine, onNewTerminal, onCloseTerminal }: Props) {
  return (
    <div class="tabs" role="tablist" aria-label="Terminals and web pages">
      {terminals.map((t) =>
        t.id === t.machine ? (
          <TabButton id={`term:${t.id}`} current={tab} setTab={setTab} label={t.machine} icon="›_" title={`Terminal on ${t.machine}`} />
        ) : (
          <span class="tab-with-close">
            <TabButton id={`term:${t.id}`} current={tab} setTab={setTab} label={`${t.machine} #${terminalNumber(t.id)}`} icon="›_" title={`Another terminal on ${t.machine}`} />
            <button type="button" class="tab-close" aria-label={`Close terminal ${t.machine} #${terminalNumber(t.id)}`} title="Close this terminal (ends its shell)" onClick={() => onCloseTerminal(t.id)}>
              ×
            </button>
          </span>
        ),
      )}
      {activeMachine && running ? (
        <button type="button" class="tab-new" aria-label={`New terminal on ${activeMachine}`} title={`Open another terminal on ${activeMachine}`} onClick={onNewTerminal}>
          +
        </button>
      ) : null}
      {running
        ? session.machines.map((m) => <TabButton id={`edit:${m}`} current={tab} setTab={setTab} label={session.machines.length > 1 ? `Editor ${m}` : 'Editor'} icon="✎" title={`Edit files on ${m}`} />)
        : null}
      {session.tabs.map((t) => (
        <TabButton id={`port:${t.machine}:${t.port}`} current={tab} setTab={setTab} label={t.title} icon="◫" title={`${t.title} (port ${t.port} on ${t.machine})`} />
      ))}
      <span class="spacer" />
      {activeTerminal && running ? <TermSearch hub={hub} terminalId={activeTerminal} /> : null}
      {activeMachine && running ? <FileTransfer sessionId={session.id} machine={activeMachine} /> : null}
    </div>
  );
}
