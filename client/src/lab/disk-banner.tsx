/** The disk watchdog's warning (`session:disk`): the lab's machines are near their disk budget, or past it and paused. */
import type { DiskWarningEvent } from '../../../server/contracts/protocol';

export function DiskBanner({ warning, onDismiss }: { warning: DiskWarningEvent; onDismiss: () => void }) {
  return (
    <div class="notice bad disk-warning" role="alert">
      <span class="notice-from">Disk:</span>
      <span class="notice-text">{warning.message}</span>
      <span class="spacer" />
      <button type="button" class="btn small ghost" onClick={onDismiss} aria-label="Dismiss the disk warning">
        Dismiss
      </button>
    </div>
  );
}
