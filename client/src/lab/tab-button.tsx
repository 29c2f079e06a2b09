/** One tab of the lab's right pane; arrow keys move between tabs (the ARIA tabs pattern). */

export function TabButton({ id, current, setTab, label, icon, title }: { id: string; current: string; setTab: (t: string) => void; label: string; icon: string; title: string }) {
  const selected = id === current;
  return (
    <button
      type="button"
      role="tab"
      id={`tab-${id}`}
      class={`tab ${selected ? 'selected' : ''}`}
      aria-selected={selected}
      tabIndex={selected ? 0 : -1}
      title={title}
      data-tab={id}
      onClick={() => setTab(id)}
      onKeyDown={(e) => {
        if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
        const tabs = Array.from((e.currentTarget as HTMLElement).parentElement!.querySelectorAll<HTMLElement>('[role=tab]'));
        const i = tabs.indexOf(e.currentTarget as HTMLElement);
        const next = tabs[(i + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length];
        next?.focus();
        next?.click();
      }}
    >
      <span aria-hidden="true" class="tab-icon">
        {icon}
      </span>{' '}
      {label}
    </button>
  );
}
