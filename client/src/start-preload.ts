/**
 * What a lab's Start needs, fetched while the student reads the catalog: the
 * lab page's code (xterm with it, a chunk of its own so the first page stays
 * small) and the page's socket. Measured in Chromium on the CI host (issue 13),
 * a Start served by the warm pool spent ~140 ms fetching those chunks and ~150 ms
 * opening the socket after the click, before the page could ask for its terminal.
 */
import { whenIdle } from './idle';
import { lazyChunk } from './lazy-chunk';

/** The lab page's module. */
export const loadLabPage = lazyChunk(() => import('./lab/lab-page'));

/**
 * For a joined student in front of the catalog: once the browser is idle, fetch
 * the lab page and open the socket. Returns the cancel for a page left first.
 */
export function prepareForStart(): () => void {
  return whenIdle(() => {
    // A failure here is not the student's concern yet: the lab page's own load tries again and says so.
    loadLabPage().catch(() => undefined);
    import('./socket').then((m) => m.getSocket()).catch(() => undefined);
  });
}
