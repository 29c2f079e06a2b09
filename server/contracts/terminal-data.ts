/**
 * What `terminal:data` carries: a terminal's output bytes, exactly. A small chunk whose bytes are all
 * ASCII (a keystroke's echo, most prompts) travels as a string of one character per byte; anything
 * else as bytes. socket.io sends a string in one websocket frame and bytes in two (a header, then the
 * attachment), and on the lab host each frame is a write and a wake-up at both ends: a keystroke's
 * echo arrives about 0.15–0.2 ms sooner as a string (bench/README.md). Big chunks stay bytes, which
 * JSON never escapes.
 *
 * Only a client that says it reads strings gets them (`auth: { terminalText: true }` when it
 * connects, as the lab page does): a page loaded before the server learned this still gets bytes.
 *
 * No imports: the browser bundle, the server and the tests share this file.
 */
export type TerminalData = ArrayBuffer | Uint8Array | string;

/** What a client puts in socket.io's `auth` when it connects to say it reads string chunks. */
export const TEXT_CHUNKS_AUTH = { terminalText: true } as const;

/** Whether a connection's `auth` says it reads string chunks. */
export function readsTextChunks(auth: unknown): boolean {
  return typeof auth === 'object' && auth !== null && (auth as { terminalText?: unknown }).terminalText === true;
}

/** Largest chunk sent as a string; above it bytes cost less than JSON's escaping of control characters. */
export const TEXT_CHUNK_MAX = 1024;

/** The form in which `bytes` go on the wire (the server's side). */
export function toTerminalData(bytes: Uint8Array): Uint8Array | string {
  if (bytes.length > TEXT_CHUNK_MAX) return bytes;
  let text = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b > 0x7f) return bytes;
    text += String.fromCharCode(b);
  }
  return text;
}

/** The bytes a `terminal:data` event carries, whichever form it came in (one byte per character of a string). */
export function terminalDataBytes(data: TerminalData): Uint8Array {
  if (typeof data !== 'string') return data instanceof Uint8Array ? data : new Uint8Array(data);
  const bytes = new Uint8Array(data.length);
  // & 0xff keeps one byte per character even for a string no Berth server would send.
  for (let i = 0; i < data.length; i++) bytes[i] = data.charCodeAt(i) & 0xff;
  return bytes;
}
