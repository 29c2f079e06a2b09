import type { ComponentChildren } from 'preact';

export function ErrorBox({ message, onRetry, children }: { message: string; onRetry?: () => void; children?: ComponentChildren }) {
  return (
    <div class="error-box" role="alert">
      <p>{message}</p>
      <div class="row">
        {onRetry ? (
          <button type="button" class="btn" onClick={onRetry}>
            Try again
          </button>
        ) : null}
        {children}
      </div>
    </div>
  );
}

export function Spinner({ label }: { label?: string }) {
  return <span class="spinner" role={label ? 'img' : undefined} aria-label={label} aria-hidden={label ? undefined : 'true'} />;
}
