/** How an instructor page answers an action: a short outcome beside the button, or an error under a form. */

/** The outcome of the last action, read out by screen readers. */
export function Outcome({ outcome }: { outcome: { text: string; bad: boolean } | null }) {
  if (!outcome) return null;
  return (
    <span class={`small ${outcome.bad ? 'bad' : 'good'}`} role="status">
      {outcome.text}
    </span>
  );
}

/** An error about a whole form or section (a field's own error is in Field). */
export function FormError({ error, id }: { error: string | null | undefined; id?: string }) {
  if (!error) return null;
  return (
    <p id={id} class="form-error" role="alert">
      {error}
    </p>
  );
}
