/** Labelled form fields with their error tied to the input (aria-describedby). */
import type { ComponentChildren } from 'preact';

interface FieldProps {
  id: string;
  label: string;
  value: string;
  onInput: (v: string) => void;
  error?: string;
  type?: 'text' | 'password' | 'datetime-local' | 'email';
  hint?: ComponentChildren;
  autoComplete?: string;
  required?: boolean;
  inputMode?: 'numeric' | 'text';
  placeholder?: string;
  autoFocus?: boolean;
}

export function Field({ id, label, value, onInput, error, type = 'text', hint, autoComplete, required, inputMode, placeholder, autoFocus }: FieldProps) {
  const described = [error ? `${id}-error` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class="ifield">
      <label for={id}>{label}</label>
      <input
        id={id}
        name={id}
        // Preact types `type` as a union per input kind; any of ours is a plain text-like input.
        type={type as 'text'}
        value={value}
        autoComplete={autoComplete}
        required={required}
        inputMode={inputMode}
        placeholder={placeholder}
        autoFocus={autoFocus}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={described}
        onInput={(e) => onInput((e.target as HTMLInputElement).value)}
      />
      {hint ? (
        <span id={`${id}-hint`} class="muted small">
          {hint}
        </span>
      ) : null}
      {error ? (
        <span id={`${id}-error`} class="form-error" role="alert">
          {error}
        </span>
      ) : null}
    </div>
  );
}

/** "28 Nov 2026, 09:00" in the instructor's locale. */
export function formatWhen(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '–';
  return new Date(ms).toLocaleString(undefined, { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
}
