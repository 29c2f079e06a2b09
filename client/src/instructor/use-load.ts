/** Loading one thing from the instructor API: the data, the error in words, and a reload. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { errorText } from '../error-text';

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  /** When the data arrived (ms), for "… ago" texts that should not move on their own. */
  loadedAt: number;
  reload: () => void;
  /** An action's reply carries the new data: show it without another request. */
  setData: (data: T) => void;
  /** An action on the loaded data failed. */
  setError: (error: string) => void;
}

/** Loads on mount and whenever `deps` change. */
export function useLoad<T>(fetcher: () => Promise<T>, deps: unknown[] = []): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loadedAt, setLoadedAt] = useState(Date.now());
  // Only the latest request may set the data: after a quick change of `deps` (another class) or two
  // reloads, an earlier answer arriving last would show what was asked before.
  const latest = useRef(0);
  const reload = () => {
    const n = ++latest.current;
    setError(null);
    fetcher()
      .then((d) => {
        if (n !== latest.current) return;
        setData(d);
        setLoadedAt(Date.now());
      })
      .catch((e: unknown) => {
        if (n === latest.current) setError(errorText(e));
      });
  };
  useEffect(reload, deps);
  return { data, error, loadedAt, reload, setData, setError };
}
