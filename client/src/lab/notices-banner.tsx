/**
 * Messages from the instructor (to this student or the whole class), kept
 * until dismissed: the undismissed ones are fetched on load and after every
 * reconnect (so nothing sent while offline is missed), new ones arrive live.
 */
import { useEffect, useState } from 'preact/hooks';
import type { NoticeView } from '../../../server/contracts/classroom';
import { api } from '../api';
import { getSocket } from '../socket';
import { errorText } from '../error-text';

export function NoticesBanner() {
  const [notices, setNotices] = useState<NoticeView[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const s = getSocket();
    let alive = true;
    const merge = (incoming: NoticeView[]) =>
      setNotices((cur) => {
        const byId = new Map(cur.map((n) => [n.id, n]));
        for (const n of incoming) byId.set(n.id, n);
        return [...byId.values()].sort((a, b) => a.at - b.at);
      });
    const load = () =>
      api
        .notices()
        .then((r) => alive && merge(r.notices))
        .catch(() => undefined); // a server without classes has no notices
    const onNotice = (n: NoticeView) => merge([n]);
    s.on('notice', onNotice);
    s.on('connect', load);
    void load();
    return () => {
      alive = false;
      s.off('notice', onNotice);
      s.off('connect', load);
    };
  }, []);

  const dismiss = async (id: string) => {
    setError(null);
    try {
      await api.dismissNotice(id);
      setNotices((cur) => cur.filter((n) => n.id !== id));
    } catch (e) {
      setError(errorText(e));
    }
  };

  if (notices.length === 0 && !error) return null;
  return (
    <div class="notices" role="region" aria-label="Messages from your instructor">
      {notices.map((n) => (
        <div class={`notice notice-${n.kind}`} role="status" data-notice-id={n.id} key={n.id}>
          <span class="notice-from">{n.kind === 'broadcast' ? `${n.from} to the class:` : n.kind === 'system' ? 'Berth:' : `${n.from} to you:`}</span>
          <span class="notice-text">{n.text}</span>
          <span class="spacer" />
          <button type="button" class="btn small ghost" onClick={() => void dismiss(n.id)} aria-label={`Dismiss the message from ${n.from}`}>
            Dismiss
          </button>
        </div>
      ))}
      {error ? (
        <p class="form-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
