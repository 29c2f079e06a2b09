/**
 * The session a Start just made, handed from the page that pressed Start to the
 * lab page, which would otherwise ask the server for the same view again before
 * it can show the lab (a round trip on the way to the prompt, issue 13).
 */
import type { SessionView } from '../../server/contracts/protocol';

let handed: SessionView | null = null;

/** Right before navigating to the new session's page. */
export function handOver(session: SessionView): void {
  handed = session;
}

/** The lab page of `sessionId` takes it once; any other page finds nothing. */
export function takeHandedOver(sessionId: string): SessionView | null {
  const session = handed?.id === sessionId ? handed : null;
  handed = null;
  return session;
}
