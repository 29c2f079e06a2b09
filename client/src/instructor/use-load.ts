/** Loading one thing from the instructor API: the data, the error in words, and a reload. */
import { useEffect, useState } from 'preact/hooks';
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
  const reload = () => {
    setError(null);
    fetcher()
      .then((d) => {
        setData(d);
        setLoadedAt(Date.now());
      })
      .catch((e: unknown) => setError(errorText(e)));
  };
  useEffect(reload, deps);
  return { data, error, loadedAt, reload, setData, setError };
}
