/** A web page served by a lab machine's port, framed in the lab page (sandboxed), with reload and open-in-a-tab. */
import { useState } from 'preact/hooks';
import type { SessionView } from '../../../server/contracts/protocol';

export function PortPanel({ tab, shown }: { tab: SessionView['tabs'][number]; shown: boolean }) {
  const [n, setN] = useState(0);
  return (
    <div class={`port-panel ${shown ? 'shown' : ''}`} role="tabpanel" aria-label={tab.title} hidden={!shown}>
      <div class="port-bar">
        <span class="muted small">
          Port {tab.port} on {tab.machine}
        </span>
        <span class="spacer" />
        <button type="button" class="btn small" onClick={() => setN((x) => x + 1)}>
          Reload
        </button>
        <a class="btn small" href={tab.url} target="_blank" rel="noopener">
          Open in a new browser tab ↗
        </a>
      </div>
      <iframe key={n} src={tab.url} sandbox="allow-scripts allow-forms allow-popups allow-modals allow-downloads" title={`${tab.title}: port ${tab.port} on ${tab.machine}`} />
    </div>
  );
}
