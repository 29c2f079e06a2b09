/** The join page's pure parts: the code from the link, and what a refusal means to a student. */

/** Codes are shown in groups and typed any old way: keep letters and digits, upper-case. */
export function normalizeCode(text: string): string {
  return text.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

/** `#/join/AB7K-Q2` → "AB7KQ2"; '' for any other route. */
export function codeFromHash(hash: string): string {
  const m = /^#\/join\/([^/?#]*)/.exec(hash);
  if (!m) return '';
  try {
    return normalizeCode(decodeURIComponent(m[1]!));
  } catch {
    return '';
  }
}

export interface JoinRefusal {
  field: 'code' | 'name' | null;
  message: string;
}

/**
 * Turns the server's refusal into a message at the right field. The server's
 * own words are kept when it gives them; the fallbacks cover a bare status.
 */
export function explainJoinError(status: number, code: string | undefined, serverMessage: string | undefined): JoinRefusal {
  const msg = serverMessage && !/^The request failed/.test(serverMessage) ? serverMessage : undefined;
  if (status === 429 || code === 'rate_limited') return { field: null, message: msg ?? 'Too many tries from this computer. Wait a minute, then try again.' };
  if (status === 409 || code === 'conflict') {
    if (msg && /full|seat/i.test(msg)) return { field: null, message: msg };
    return { field: 'name', message: msg ?? 'Someone in this class already uses that name. Add an initial or pick another.' };
  }
  if (status === 404 || status === 403 || code === 'not_found' || code === 'forbidden') {
    if (msg && /name|admit/i.test(msg)) return { field: 'name', message: msg };
    return { field: 'code', message: msg ?? 'That code does not work. Check it with your teacher.' };
  }
  if (status === 400 || code === 'invalid') {
    // The server names the field first ("code: …", "name: …").
    const prefix = msg ? /^(code|name)\b/i.exec(msg)?.[1]?.toLowerCase() : undefined;
    const field = prefix === 'code' || prefix === 'name' ? prefix : msg && /name/i.test(msg) ? 'name' : msg && /code/i.test(msg) ? 'code' : null;
    return { field, message: msg ?? 'Check the code and your name.' };
  }
  return { field: null, message: msg ?? 'Joining failed. Try again in a moment.' };
}

/** For the projector and the printed list: `ABC-DEF` (the server's formatCode, mirrored). */
export function formatCode(code: string): string {
  const half = Math.ceil(code.length / 2);
  return code.length > 4 ? `${code.slice(0, half)}-${code.slice(half)}` : code;
}
