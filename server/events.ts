import { EventEmitter } from 'node:events';
import type { CheckResultEvent, DiskWarningEvent, ProgressView, SessionStatusEvent } from './contracts/protocol';

/**
 * Domain events, published by sessions and checks, consumed by the realtime
 * layer. Domain objects never hold sockets; they announce what happened here.
 */
export interface BerthEvents {
  status: [SessionStatusEvent & { studentId: string }];
  check: [CheckResultEvent];
  progress: [{ sessionId: string; studentId: string; progress: ProgressView }];
  /** A session's machines are gone: terminals must close. */
  ended: [{ sessionId: string }];
  /** Machines stopped for a pause or a reset: terminals close, the shells are gone. */
  machinesDown: [{ sessionId: string }];
  /** A session's machines near or past their disk budget (server/sessions/disk-watchdog.ts). */
  diskWarning: [DiskWarningEvent & { studentId: string }];
  /** A student answered one of a step's questions (progress is saved after). */
  quiz: [{ sessionId: string; studentId: string; labId: string; step: number; quizId: string; choices: number[]; correct: boolean }];
  /** A lab's progress was wiped (reset): its live run starts over; results kept beside it stay. */
  progressReset: [{ studentId: string; labId: string }];
  /** Instructor login sessions were revoked (logout, logout everywhere, password reset): their sockets must close. */
  instructorLoginsRevoked: [{ instructorId: string; loginIds: string[] }];
}

export class EventBus extends EventEmitter<BerthEvents> {}
