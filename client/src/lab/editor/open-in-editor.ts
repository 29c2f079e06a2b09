/**
 * "Open in editor" from anywhere in the lab page (a lab step's edit block):
 * a window event carries the machine and path; the lab page switches to that
 * machine's Editor tab and the panel opens the file.
 */
import { useEffect, useState } from 'preact/hooks';
import type { OpenRequest } from './editor-panel';

export interface OpenInEditorDetail extends OpenRequest {
  machine: string;
}

const EVENT = 'berth:open-in-editor';

export function openInEditor(detail: OpenInEditorDetail): void {
  window.dispatchEvent(new CustomEvent<OpenInEditorDetail>(EVENT, { detail }));
}

/** The latest open request per machine; a new object each time, so the same file can be asked for twice. */
export function useOpenInEditor(machines: string[], show: (machine: string) => void): Record<string, OpenRequest> {
  const [requests, setRequests] = useState<Record<string, OpenRequest>>({});
  useEffect(() => {
    const onOpen = (e: Event) => {
      const { machine, ...req } = (e as CustomEvent<OpenInEditorDetail>).detail;
      if (!machines.includes(machine)) return;
      setRequests((r) => ({ ...r, [machine]: { ...req } }));
      show(machine);
    };
    window.addEventListener(EVENT, onOpen);
    return () => window.removeEventListener(EVENT, onOpen);
  }, [machines.join(',')]);
  return requests;
}
