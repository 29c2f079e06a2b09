/**
 * A chunk of the page loaded on demand, fetched at most once however many
 * places ask for it (a preload while the browser is idle, then the click that
 * needs it); after a failed fetch the next call tries again.
 */
export function lazyChunk<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | null = null;
  return () => {
    pending ??= load().catch((err: unknown) => {
      pending = null;
      throw err;
    });
    return pending;
  };
}
