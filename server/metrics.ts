// Over ~350 lines on purpose: one registry, the events that feed it and the admin summary read from
// the same counters; split, the summary would need the metrics' internals and each part the registry,
// and "what Berth reports" would have no single place to be read. Most of the length is metric declarations.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { SessionState } from './contracts/protocol';
import type { EventBus } from './events';
import { log } from './log';

/**
 * What a Berth is doing, in Prometheus form (GET /metrics) and as a short
 * summary for the admin page. Fed by domain events and a few hooks; nothing
 * here changes what Berth does. Every metric is listed in docs/deploy.md.
 * One registry per Berth, so two in one process (tests) do not collide.
 */

export interface MetricsSources {
  bus: EventBus;
  /** Live sessions and their states (the store's view, so a restart keeps counting right). */
  liveStates(): SessionState[];
  /** Machines started ahead of students, if the backend keeps a pool. */
  warmPoolSize(): number;
  /** Asks the engine a trivial question; rejects when it does not answer. */
  pingEngine(): Promise<unknown>;
  /** Optional: calls `onLost` the moment the engine goes away (see LabBackend.watchEngine). */
  watchEngine?(onLost: () => void): Promise<() => void>;
  /** The classroom at a glance: classes (active and archived), students who joined, instructors typing right now. */
  classroom?(): ClassroomCounts;
}

export interface ClassroomCounts {
  activeClasses: number;
  archivedClasses: number;
  students: number;
  instructors: number;
  takeovers: number;
}

export interface MetricsSample {
  t: number;
  running: number;
  queued: number;
  sockets: number;
  rssBytes: number;
}

export interface MetricsSummary {
  at: number;
  engineUp: boolean;
  sessions: Partial<Record<SessionState, number>>;
  queued: number;
  sockets: number;
  warmPool: number;
  rssBytes: number;
  checks: { passed: number; failed: number };
  /** Medians over the last hour's starts, in seconds; null before any. */
  machineStartP50: number | null;
  firstPromptP50: number | null;
  engineErrors: number;
  /** One sample a minute, oldest first, at most 60. */
  series: MetricsSample[];
}

const LIVE_STATES: SessionState[] = ['queued', 'starting', 'running', 'paused', 'resuming', 'stopping'];
const DURATION_BUCKETS = [0.25, 0.5, 1, 2, 3, 5, 8, 13, 20, 30, 60, 120];

export class BerthMetrics {
  readonly registry = new Registry();
  private readonly startedAt = new Map<string, number>();
  private readonly awaitingPrompt = new Map<string, number>();
  private readonly recentStarts: Array<{ t: number; start?: number; prompt?: number }> = [];
  private readonly series: MetricsSample[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private engineUp = true;
  private readonly backListeners: Array<() => void> = [];
  private socketCount: () => number = () => 0;
  private readonly checkTotals = { passed: 0, failed: 0 };
  private engineErrorCount = 0;

  private readonly machineStart = new Histogram({
    name: 'berth_machine_start_seconds',
    help: "From a session's start (its machines being created) to running: machines up, files copied, first step's setup done",
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  private readonly firstPrompt = new Histogram({
    name: 'berth_first_prompt_seconds',
    help: 'From "Start lab" (queue included) to the first byte of the lab\'s terminal',
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  private readonly checkRuns = new Counter({
    name: 'berth_check_runs_total',
    help: 'Checks run, by result (passed, failed) and trigger (button, prompt, timer, test)',
    labelNames: ['result', 'trigger'],
    registers: [this.registry],
  });
  private readonly checkDuration = new Histogram({
    name: 'berth_check_duration_seconds',
    help: 'How long a check took, by result',
    labelNames: ['result'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20],
    registers: [this.registry],
  });
  private readonly terminalBytes = new Counter({
    name: 'berth_terminal_bytes_total',
    help: 'Bytes through student terminals: direction="out" from the machines, "in" typed or pasted',
    labelNames: ['direction'],
    registers: [this.registry],
  });
  private readonly startResults = new Counter({
    name: 'berth_session_starts_total',
    help: 'Session starts that ended running or failed',
    labelNames: ['result'],
    registers: [this.registry],
  });
  private readonly upGauge = new Gauge({
    name: 'berth_engine_up',
    help: '1 while the Docker engine answers, 0 while it does not',
    registers: [this.registry],
  });
  private readonly engineErrors = new Counter({
    name: 'berth_engine_errors_total',
    help: 'Docker engine failures: "ping" (the engine did not answer), "start" (a lab could not start)',
    labelNames: ['operation'],
    registers: [this.registry],
  });

  constructor(private readonly sources: MetricsSources) {
    collectDefaultMetrics({ register: this.registry, prefix: 'berth_' });
    const states = () => this.countStates();
    new Gauge({
      name: 'berth_sessions',
      help: 'Live sessions by state',
      labelNames: ['state'],
      registers: [this.registry],
      collect() {
        const counts = states();
        for (const s of LIVE_STATES) this.set({ state: s }, counts[s] ?? 0);
      },
    });
    new Gauge({
      name: 'berth_queue_length',
      help: 'Students waiting for a place (BERTH_MAX_SESSIONS reached)',
      registers: [this.registry],
      collect() {
        this.set(states().queued ?? 0);
      },
    });
    const sockets = () => this.socketCount();
    new Gauge({
      name: 'berth_active_sockets',
      help: 'Browser connections (students and instructors)',
      registers: [this.registry],
      collect() {
        this.set(sockets());
      },
    });
    const poolSize = () => this.sources.warmPoolSize();
    new Gauge({
      name: 'berth_warm_pool_machines',
      help: 'Lab machines started ahead of students, ready to hand out',
      registers: [this.registry],
      collect() {
        this.set(poolSize());
      },
    });
    const classroom = () => this.sources.classroom?.();
    new Gauge({
      name: 'berth_classes',
      help: 'Classes by state (active, archived)',
      labelNames: ['state'],
      registers: [this.registry],
      collect() {
        const c = classroom();
        if (!c) return;
        this.set({ state: 'active' }, c.activeClasses);
        this.set({ state: 'archived' }, c.archivedClasses);
      },
    });
    for (const [name, help, key] of [
      ['berth_students', 'Students who have joined a class (open practice included)', 'students'],
      ['berth_instructors', 'Instructor accounts', 'instructors'],
      ['berth_takeovers_active', 'Terminals an instructor is typing into right now', 'takeovers'],
    ] as const) {
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          const c = classroom();
          if (c) this.set(c[key]);
        },
      });
    }
    this.upGauge.set(1);
    this.listen();
  }

  private countStates(): Partial<Record<SessionState, number>> {
    const counts: Partial<Record<SessionState, number>> = {};
    for (const s of this.sources.liveStates()) counts[s] = (counts[s] ?? 0) + 1;
    return counts;
  }

  private listen(): void {
    const { bus } = this.sources;
    bus.on('status', (e) => {
      const now = Date.now();
      if (e.state === 'queued' && !this.awaitingPrompt.has(e.sessionId)) this.awaitingPrompt.set(e.sessionId, now);
      if (e.state === 'starting' && !this.startedAt.has(e.sessionId)) {
        this.startedAt.set(e.sessionId, now);
        if (!this.awaitingPrompt.has(e.sessionId)) this.awaitingPrompt.set(e.sessionId, now);
      }
      if (e.state === 'running') {
        const began = this.startedAt.get(e.sessionId);
        this.startedAt.delete(e.sessionId);
        if (began !== undefined) {
          const seconds = (now - began) / 1000;
          this.machineStart.observe(seconds);
          this.startResults.inc({ result: 'running' });
          this.recent({ start: seconds });
        }
      }
      if (e.state === 'failed' && this.startedAt.delete(e.sessionId)) {
        this.startResults.inc({ result: 'failed' });
        this.engineErrors.inc({ operation: 'start' });
        this.engineErrorCount++;
      }
      // Ended before running or before a terminal: nothing to measure, nothing to keep.
      if (e.state === 'ended' || e.state === 'failed') {
        this.awaitingPrompt.delete(e.sessionId);
        this.startedAt.delete(e.sessionId);
      }
    });
    bus.on('check', (e) => {
      // 'running' announces a check under way; only finished ones count.
      if (e.status !== 'passed' && e.status !== 'failed') return;
      const result = e.status;
      this.checkRuns.inc({ result, trigger: e.trigger });
      if (e.durationMs !== undefined) this.checkDuration.observe({ result }, e.durationMs / 1000);
      this.checkTotals[result]++;
    });
  }

  private recent(entry: { start?: number; prompt?: number }): void {
    this.recentStarts.push({ t: Date.now(), ...entry });
    const hourAgo = Date.now() - 3600_000;
    while (this.recentStarts.length && (this.recentStarts[0].t < hourAgo || this.recentStarts.length > 5000)) this.recentStarts.shift();
  }

  /** Terminal traffic; the first output of a session's terminal is its first prompt. */
  terminalTraffic(sessionId: string, direction: 'in' | 'out', bytes: number): void {
    this.terminalBytes.inc({ direction }, bytes);
    if (direction !== 'out') return;
    const since = this.awaitingPrompt.get(sessionId);
    if (since === undefined) return;
    this.awaitingPrompt.delete(sessionId);
    const seconds = (Date.now() - since) / 1000;
    this.firstPrompt.observe(seconds);
    this.recent({ prompt: seconds });
  }

  /** Called each time the probe finds the engine answering after it was not (labs it stopped need a look). */
  onEngineBack(listener: () => void): void {
    this.backListeners.push(listener);
  }

  countSockets(counter: () => number): void {
    this.socketCount = counter;
  }

  private unwatchEngine: (() => void) | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  /**
   * Engine probe every `engineEveryMs`, one sample for the summary every `sampleEveryMs`. Where the
   * backend can watch the engine, its going away is known at once, even for a restart shorter than the
   * probe's period: the engine is then called down and asked again every second until it answers.
   */
  start(engineEveryMs = 15_000, sampleEveryMs = 60_000): void {
    const probe = async () => {
      try {
        await this.sources.pingEngine();
        const wasDown = !this.engineUp;
        this.engineUp = true;
        if (wasDown) {
          log.info('the Docker engine answers again');
          for (const listener of this.backListeners) listener();
        }
        if (!this.unwatchEngine) void watch();
      } catch (err) {
        if (this.engineUp) log.error(`the Docker engine is not answering (${err instanceof Error ? err.message : String(err)}); labs cannot start or stop until it is back`);
        this.engineUp = false;
        this.engineErrors.inc({ operation: 'ping' });
        this.engineErrorCount++;
      }
      this.upGauge.set(this.engineUp ? 1 : 0);
    };
    const askUntilBack = () => {
      if (this.stopped || this.retryTimer) return;
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        void probe().then(() => {
          if (!this.engineUp) askUntilBack();
        });
      }, 1000);
      this.retryTimer.unref();
    };
    const watch = async () => {
      if (!this.sources.watchEngine || this.stopped) return;
      this.unwatchEngine = () => undefined; // one watch at a time, also while it is being set up
      try {
        const unwatch = await this.sources.watchEngine(() => {
          this.unwatchEngine = null;
          if (this.stopped) return;
          // Down until it answers again, even if it is back before anyone asks: a restart stopped the lab machines.
          if (this.engineUp) log.error('the Docker engine is not answering (its event stream ended: it stopped or is restarting); labs cannot start or stop until it is back');
          this.engineUp = false;
          this.upGauge.set(0);
          askUntilBack();
        });
        if (this.stopped) unwatch();
        else this.unwatchEngine = unwatch;
      } catch {
        this.unwatchEngine = null; // not answering: the probe finds out, and watches again once it does
      }
    };
    this.timers.push(setInterval(() => void probe(), engineEveryMs), setInterval(() => this.sample(), sampleEveryMs));
    for (const t of this.timers) t.unref();
    void watch();
    this.sample();
  }

  /** Last answer of the engine probe, for health reports. */
  get engineAnswering(): boolean {
    return this.engineUp;
  }

  private sample(): void {
    const counts = this.countStates();
    this.series.push({ t: Date.now(), running: counts.running ?? 0, queued: counts.queued ?? 0, sockets: this.socketCount(), rssBytes: process.memoryUsage.rss() });
    if (this.series.length > 60) this.series.shift();
  }

  summary(): MetricsSummary {
    const counts = this.countStates();
    const median = (xs: number[]) => {
      if (!xs.length) return null;
      const s = [...xs].sort((a, b) => a - b);
      return Math.round(s[Math.floor((s.length - 1) / 2)] * 100) / 100;
    };
    return {
      at: Date.now(),
      engineUp: this.engineUp,
      sessions: counts,
      queued: counts.queued ?? 0,
      sockets: this.socketCount(),
      warmPool: this.sources.warmPoolSize(),
      rssBytes: process.memoryUsage.rss(),
      checks: { ...this.checkTotals },
      machineStartP50: median(this.recentStarts.flatMap((r) => (r.start === undefined ? [] : [r.start]))),
      firstPromptP50: median(this.recentStarts.flatMap((r) => (r.prompt === undefined ? [] : [r.prompt]))),
      engineErrors: this.engineErrorCount,
      series: [...this.series],
    };
  }

  async text(): Promise<string> {
    return this.registry.metrics();
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.timers.length = 0;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.unwatchEngine?.();
    this.unwatchEngine = null;
  }
}
