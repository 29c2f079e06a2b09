/**
 * Loads the editor (CodeMirror and all) only when a student first opens an
 * Editor tab, so the lab page stays as light as it was for everyone else.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ComponentType } from 'preact';
import type { OpenRequest } from './editor-panel';

type PanelProps = { sessionId: string; machine: string; root: string; openRequest: OpenRequest | null };
let loaded: ComponentType<PanelProps> | null = null;

export function EditorTab({ shown, ...props }: PanelProps & { shown: boolean }) {
  const [Panel, setPanel] = useState<ComponentType<PanelProps> | null>(() => loaded);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!shown || Panel) return;
    import('./editor-panel')
      .then((m) => {
        loaded = m.EditorPanel;
        setPanel(() => m.EditorPanel);
      })
      .catch(() => setError('The editor failed to load. Reload the page to try again.'));
  }, [shown]);
  return (
    <div class={`editor-host ${shown ? 'shown' : ''}`} role="tabpanel" aria-label={`Editor on ${props.machine}`} hidden={!shown}>
      {error ? <p class="form-error" role="alert">{error}</p> : Panel ? <Panel {...props} /> : <p class="loading" role="status">Loading the editor…</p>}
    </div>
  );
}
