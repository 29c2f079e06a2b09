/** What went wrong, in words a page can show: an Error's message (ApiError's are already meant for people), anything else as text. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
