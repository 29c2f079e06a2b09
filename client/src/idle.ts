/**
 * Runs `fn` when the browser has nothing better to do, and at the latest after
 * a second. Safari has no requestIdleCallback: there it runs after a short delay.
 * Returns the cancel.
 */
export function whenIdle(fn: () => void): () => void {
  if (typeof requestIdleCallback === 'function') {
    const handle = requestIdleCallback(fn, { timeout: 1000 });
    return () => cancelIdleCallback(handle);
  }
  const handle = setTimeout(fn, 100);
  return () => clearTimeout(handle);
}
