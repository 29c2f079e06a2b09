/** An instructor typing into a student's terminal. */
export interface Takeover {
  sessionId: string;
  terminalId: string;
  studentId: string;
  classId: string;
  instructorId: string;
  instructorName: string;
  /** The instructor's socket: input is accepted from it alone, and its disconnect ends the takeover. */
  socketId: string;
  since: number;
}

/**
 * Who is typing where. One instructor per terminal at a time; kept in memory
 * on purpose: a takeover ends with the instructor's connection, so a restart
 * (which drops every connection) must end them all.
 */
export class TakeoverRegistry {
  private readonly active = new Map<string, Takeover>();

  private key(sessionId: string, terminalId: string): string {
    return `${sessionId}/${terminalId}`;
  }

  get(sessionId: string, terminalId: string): Takeover | undefined {
    return this.active.get(this.key(sessionId, terminalId));
  }

  /** Starts a takeover; returns the one already there if another socket holds the terminal. */
  start(t: Takeover): { ok: true } | { ok: false; holder: Takeover } {
    const current = this.get(t.sessionId, t.terminalId);
    if (current && current.socketId !== t.socketId) return { ok: false, holder: current };
    if (!current) this.active.set(this.key(t.sessionId, t.terminalId), t);
    return { ok: true };
  }

  end(sessionId: string, terminalId: string): Takeover | undefined {
    const key = this.key(sessionId, terminalId);
    const t = this.active.get(key);
    this.active.delete(key);
    return t;
  }

  /** True when this socket may type into the terminal now. */
  allows(socketId: string, sessionId: string, terminalId: string): boolean {
    return this.get(sessionId, terminalId)?.socketId === socketId;
  }

  bySocket(socketId: string): Takeover[] {
    return [...this.active.values()].filter((t) => t.socketId === socketId);
  }

  forStudent(studentId: string): Takeover[] {
    return [...this.active.values()].filter((t) => t.studentId === studentId);
  }

  activeCount(): number {
    return this.active.size;
  }

  forSession(sessionId: string): Takeover[] {
    return [...this.active.values()].filter((t) => t.sessionId === sessionId);
  }
}
