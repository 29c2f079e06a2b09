/** Upload a file into the current machine, or download a file or folder from it (as a tar). */
import { useState } from 'preact/hooks';

function filesUrl(sessionId: string, machine: string, query: Record<string, string>): string {
  const qs = new URLSearchParams(query).toString();
  return `/api/sessions/${encodeURIComponent(sessionId)}/machines/${encodeURIComponent(machine)}/files?${qs}`;
}

export function FileTransfer({ sessionId, machine }: { sessionId: string; machine: string }) {
  const [path, setPath] = useState('/root/');
  const [note, setNote] = useState<{ text: string; error: boolean } | null>(null);

  const upload = async (file: File) => {
    setNote({ text: `Uploading ${file.name}…`, error: false });
    try {
      const res = await fetch(filesUrl(sessionId, machine, { dir: '/root', name: file.name }), {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/octet-stream' },
        body: file,
      });
      const body = (await res.json().catch(() => ({}))) as { path?: string; error?: string };
      setNote(res.ok ? { text: `Uploaded to ${body.path}`, error: false } : { text: body.error ?? `Upload failed (${res.status}).`, error: true });
    } catch {
      setNote({ text: 'Upload failed: Berth cannot be reached.', error: true });
    }
  };

  return (
    <details class="file-transfer">
      <summary class="btn small">Files</summary>
      <div class="file-transfer-panel">
        <label class="btn small">
          Upload a file to /root
          <input
            type="file"
            class="visually-hidden"
            onChange={(e) => {
              const input = e.currentTarget as HTMLInputElement;
              const file = input.files?.[0];
              if (file) void upload(file);
              input.value = '';
            }}
          />
        </label>
        <form
          class="file-download"
          onSubmit={(e) => {
            e.preventDefault();
            window.location.href = filesUrl(sessionId, machine, { path: path.replace(/\/+$/, '') || '/' });
          }}
        >
          <label>
            <span class="visually-hidden">Path to download from {machine}</span>
            <input type="text" value={path} spellcheck={false} onInput={(e) => setPath((e.target as HTMLInputElement).value)} />
          </label>
          <button type="submit" class="btn small">
            Download (.tar)
          </button>
        </form>
        {note ? (
          <p class={`small ${note.error ? 'error-text' : 'muted'}`} role="status">
            {note.text}
          </p>
        ) : null}
      </div>
    </details>
  );
}
