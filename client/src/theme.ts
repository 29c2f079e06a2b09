export type Theme = 'dark' | 'light';
const KEY = 'berth.theme';
const listeners = new Set<(t: Theme) => void>();

function initial(): Theme {
  try {
    const saved = localStorage.getItem(KEY);
    if (saved === 'dark' || saved === 'light') return saved;
  } catch {
    /* storage blocked */
  }
  return window.matchMedia?.('(prefers-color-scheme: light)').matches ? 'light' : 'dark';
}

let current: Theme = initial();
document.documentElement.dataset.theme = current;

export function getTheme(): Theme {
  return current;
}

export function setTheme(t: Theme): void {
  current = t;
  document.documentElement.dataset.theme = t;
  try {
    localStorage.setItem(KEY, t);
  } catch {
    /* ignore */
  }
  for (const l of listeners) l(t);
}

export function onTheme(fn: (t: Theme) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
