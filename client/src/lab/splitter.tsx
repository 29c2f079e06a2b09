/** The handle between instructions and machines: drag it, or use the arrow keys. */
import { clampSplit } from '../logic/format';

export function Splitter({ split, setSplit }: { split: number; setSplit: (n: number) => void }) {
  const onPointerDown = (e: PointerEvent) => {
    const el = e.currentTarget as HTMLElement;
    const box = el.parentElement!.getBoundingClientRect();
    el.setPointerCapture(e.pointerId);
    document.body.classList.add('dragging');
    const move = (ev: PointerEvent) => setSplit(clampSplit((ev.clientX - box.left) / box.width));
    const up = () => {
      el.removeEventListener('pointermove', move);
      el.removeEventListener('pointerup', up);
      document.body.classList.remove('dragging');
    };
    el.addEventListener('pointermove', move);
    el.addEventListener('pointerup', up);
  };
  return (
    <div
      class="splitter"
      role="separator"
      aria-orientation="vertical"
      aria-label="Resize instructions and terminal"
      aria-valuemin={20}
      aria-valuemax={80}
      aria-valuenow={Math.round(split * 100)}
      tabIndex={0}
      onPointerDown={onPointerDown}
      onKeyDown={(e) => {
        if (e.key === 'ArrowLeft') setSplit(clampSplit(split - 0.03));
        else if (e.key === 'ArrowRight') setSplit(clampSplit(split + 0.03));
        else return;
        e.preventDefault();
      }}
    />
  );
}
