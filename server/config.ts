import os from 'node:os';
import path from 'node:path';

/** Isolation profiles a lab machine can run under; `auto` asks `berth doctor`. */
export type IsolationProfile = 'privileged' | 'sysbox' | 'caps';
export type IsolationSetting = IsolationProfile | 'auto';

export interface BerthConfig {
  host: string;
  port: number;
  /** Public origin(s) browsers use; socket.io refuses other Origins. Empty = same host as the request. */
  allowedOrigins: string[];
  dataDir: string;
  labsDir: string;
  /** BERTH_BACKEND: what runs lab machines (server/backend/factory.ts); `fake`, in memory, only under NODE_ENV=test. */
  backend: BackendKind;
  /** What only the Docker backend reads (server/docker/); another backend gets a section of its own beside it. */
  docker: DockerConfig;
  /** Disk a machine may write before its lab is paused, measured through the backend (server/sessions/disk-watchdog.ts). */
  disk: {
    /** Writable layer + Docker volume per machine; 0 = no watchdog. */
    budgetBytesPerMachine: number;
    /** How often it measures (for Docker, one `docker system df`). */
    checkSeconds: number;
  };
  /** How often the backend's engine is asked whether it answers (its going away is also watched as it happens). */
  engineProbeSeconds: number;
  sessions: {
    maxRunning: number;
    maxPerStudent: number;
    timeLimitMinutes: number;
    extendMinutes: number;
    maxExtensions: number;
    idleMinutes: number;
    /** Paused sessions are removed for good after this long. */
    pausedRetentionHours: number;
    /** Labs whose machines start at the same time; more queue inside Berth, not in the engine. */
    startConcurrency: number;
  };
  warmPool: { size: number };
  checks: { concurrency: number; timeoutSeconds: number; outputCapBytes: number; autoIntervalSeconds: number };
  terminal: {
    scrollbackBytes: number;
    highWatermark: number;
    lowWatermark: number;
    /** The largest single input message (BERTH_MAX_MESSAGE). */
    maxInputBytes: number;
    /** Shells open at once on one machine and in one session; attaching past either is refused. */
    maxPerMachine: number;
    maxPerSession: number;
    /** Input held for a shell that is not reading, per terminal and over all terminals. */
    inputQueueBytes: number;
    inputQueueTotalBytes: number;
  };
  /** BERTH_PROXY_ORIGIN: students' ports served from this other origin (server/http/proxy-origin.ts); '' = Berth's own. */
  proxyOrigin: string;
  /** BERTH_PROXY_PORT: where that origin listens locally; 0 = the origin's own port. */
  proxyPort: number;
  /** Websockets through the port proxy: open at once per student (0 = no cap), and the app's time to answer a handshake. */
  proxySockets: { perStudent: number; handshakeSeconds: number };
  /** Uploads and downloads between browsers and machines: sizes and how many run at once. */
  transfers: { maxUploadBytes: number; maxDownloadBytes: number; perStudent: number; total: number };
  secret: string;
  /** The classroom door (issue 11). */
  classroom: ClassroomConfig;
  dev: boolean;
  /** pino level from BERTH_LOG_LEVEL (server/log.ts reads it too, before any config exists). */
  logLevel: LogLevel;
}

export interface DockerConfig {
  /** BERTH_INSTANCE: labels every Docker object so reconcile can tell ours from anyone else's. */
  instanceId: string;
  isolation: IsolationSetting;
  registryMirror: string;
  images: { dind: string; shell: string; mirror: string; base: string };
  limits: {
    machineMemoryBytes: number;
    machineNanoCpus: number;
    machinePids: number;
    machineLogBytes: number;
    /** Only applied where the storage driver supports a size (overlay2 on xfs with pquota). */
    machineDiskBytes: number;
    /** The most a lab may ask for per machine; larger requests are cut to these. */
    maxMemoryBytes: number;
    maxNanoCpus: number;
    maxPids: number;
  };
}

export interface ClassroomConfig {
  /** BERTH_OPEN_JOIN: a name alone joins the built-in open-practice class. Off by default. */
  openJoin: boolean;
  /** BERTH_PUBLIC_URL: how browsers reach Berth (join links, QR codes, Secure cookies when https). */
  publicUrl: string;
  /** Host names allowed besides loopback, the host's own addresses and hostname, and the public URL's. */
  allowedHosts: string[];
  /** Instructor login attempts per window, per address and per account. */
  loginRate: { perAddress: number; perAccount: number; windowMinutes: number };
  /** Failed join attempts per address per window (a whole class shares one NAT address: only failures count). */
  joinFailuresPerAddress: number;
  joinWindowMinutes: number;
  /** An instructor login session ends after this long without a request. */
  instructorIdleMinutes: number;
  /**
   * Scheduled pre-warm: most extra warm machines for all classes about to start (BERTH_PREWARM_MAX; null when
   * unset: derived from the host in server/classroom/prewarm.ts), and how long before the start.
   */
  prewarmMax: number | null;
  prewarmLeadMinutes: number;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function parseLogLevel(env: NodeJS.ProcessEnv): LogLevel {
  const raw = (env.BERTH_LOG_LEVEL || 'info').trim().toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(raw)) {
    throw new Error(`Configuration: BERTH_LOG_LEVEL=${JSON.stringify(env.BERTH_LOG_LEVEL)} must be one of ${LOG_LEVELS.join(', ')}`);
  }
  return raw as LogLevel;
}

/** BERTH_PROXY_ORIGIN as an origin (`http://host:port`), or '' when unset; throws naming the variable. */
export function parseProxyOrigin(raw: string | undefined): string {
  const value = (raw ?? '').trim();
  if (!value) return '';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`Configuration: BERTH_PROXY_ORIGIN=${JSON.stringify(value)} is not an origin such as http://lab.example:8081`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || (url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    throw new Error(`Configuration: BERTH_PROXY_ORIGIN=${JSON.stringify(value)} must be only scheme, host and port, such as http://lab.example:8081`);
  }
  return url.origin;
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    throw new Error(`Configuration: ${name}=${JSON.stringify(raw)} is not a non-negative number`);
  }
  return value;
}

/** Parses sizes like `2g`, `512m`, `1048576`. */
export function parseBytes(raw: string, field: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$/i.exec(raw.trim());
  if (!match) throw new Error(`${field}: "${raw}" is not a size (examples: 512m, 2g, 1048576)`);
  const scale: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };
  return Math.round(Number(match[1]) * scale[match[2].toLowerCase()]);
}

function bytes(env: NodeJS.ProcessEnv, name: string, fallback: string): number {
  return parseBytes(env[name] || fallback, name);
}

const profiles: IsolationSetting[] = ['auto', 'privileged', 'sysbox', 'caps'];

export type BackendKind = 'docker' | 'fake';

function parseBackend(env: NodeJS.ProcessEnv): BackendKind {
  const raw = (env.BERTH_BACKEND || 'docker').trim();
  if (raw !== 'docker' && raw !== 'fake') throw new Error(`Configuration: BERTH_BACKEND=${JSON.stringify(raw)} must be docker (or fake, in tests)`);
  // The fake runs no real machine: a classroom started on it by mistake would look alive and do nothing.
  if (raw === 'fake' && env.NODE_ENV !== 'test') throw new Error('Configuration: BERTH_BACKEND=fake is only allowed when NODE_ENV=test');
  return raw;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): BerthConfig {
  const isolation = (env.BERTH_ISOLATION || 'auto') as IsolationSetting;
  if (!profiles.includes(isolation)) {
    throw new Error(`Configuration: BERTH_ISOLATION=${isolation} must be one of ${profiles.join(', ')}`);
  }
  const dataDir = path.resolve(env.BERTH_DATA_DIR || 'data');
  return {
    host: env.BERTH_HOST || '0.0.0.0',
    port: int(env, 'BERTH_PORT', 8080),
    allowedOrigins: (env.BERTH_ALLOWED_ORIGINS || '').split(',').map((s) => s.trim()).filter(Boolean),
    dataDir,
    labsDir: path.resolve(env.BERTH_LABS_DIR || 'labs'),
    backend: parseBackend(env),
    docker: {
      instanceId: env.BERTH_INSTANCE || 'berth',
      isolation,
      registryMirror: env.BERTH_REGISTRY_MIRROR ?? 'http://host.docker.internal:5000',
      images: {
        dind: env.BERTH_IMAGE_DIND || 'berth-dind:latest',
        shell: env.BERTH_IMAGE_SHELL || 'berth-shell:latest',
        mirror: env.BERTH_IMAGE_MIRROR || 'berth-mirror:latest',
        base: env.BERTH_IMAGE_BASE || 'debian:trixie-slim',
      },
      limits: {
        machineMemoryBytes: bytes(env, 'BERTH_MACHINE_MEMORY', '2g'),
        machineNanoCpus: Math.round(Number(env.BERTH_MACHINE_CPUS || '1') * 1e9),
        machinePids: int(env, 'BERTH_MACHINE_PIDS', 4096),
        machineLogBytes: bytes(env, 'BERTH_MACHINE_LOG', '10m'),
        machineDiskBytes: bytes(env, 'BERTH_MACHINE_DISK', '0'),
        maxMemoryBytes: Math.max(bytes(env, 'BERTH_MACHINE_MAX_MEMORY', '4g'), bytes(env, 'BERTH_MACHINE_MEMORY', '2g')),
        maxNanoCpus: Math.round(Math.max(Number(env.BERTH_MACHINE_MAX_CPUS || '2'), Number(env.BERTH_MACHINE_CPUS || '1')) * 1e9),
        maxPids: Math.max(int(env, 'BERTH_MACHINE_MAX_PIDS', 8192), int(env, 'BERTH_MACHINE_PIDS', 4096)),
      },
    },
    disk: {
      budgetBytesPerMachine: bytes(env, 'BERTH_MACHINE_DISK_BUDGET', '8g'),
      checkSeconds: int(env, 'BERTH_DISK_CHECK_SECONDS', 300),
    },
    engineProbeSeconds: Math.max(1, int(env, 'BERTH_ENGINE_PROBE_SECONDS', 15)),
    sessions: {
      maxRunning: int(env, 'BERTH_MAX_SESSIONS', 30),
      maxPerStudent: int(env, 'BERTH_MAX_SESSIONS_PER_STUDENT', 1),
      timeLimitMinutes: int(env, 'BERTH_SESSION_MINUTES', 120),
      extendMinutes: int(env, 'BERTH_EXTEND_MINUTES', 30),
      maxExtensions: int(env, 'BERTH_MAX_EXTENSIONS', 2),
      idleMinutes: int(env, 'BERTH_IDLE_MINUTES', 30),
      pausedRetentionHours: int(env, 'BERTH_PAUSED_RETENTION_HOURS', 72),
      // Measured with bench/classroom.ts (bench/README.md, 2026-11-22 and 11-29): a machine's start
      // is CPU-bound (its dockerd), so 2 at a time leaves cores idle while starts wait on the engine
      // and 16 or 30 share the CPU so that everyone finishes late; 4 to 10 on 2 cores were within
      // the noise of each other, and three per core had the best p95 of the rounds measured.
      startConcurrency: int(env, 'BERTH_START_CONCURRENCY', 3 * os.availableParallelism()),
    },
    warmPool: { size: int(env, 'BERTH_WARM_POOL', 2) },
    checks: {
      concurrency: int(env, 'BERTH_CHECK_CONCURRENCY', 4),
      timeoutSeconds: int(env, 'BERTH_CHECK_TIMEOUT', 20),
      outputCapBytes: int(env, 'BERTH_CHECK_OUTPUT_CAP', 64 * 1024),
      autoIntervalSeconds: int(env, 'BERTH_CHECK_INTERVAL', 15),
    },
    terminal: {
      scrollbackBytes: bytes(env, 'BERTH_SCROLLBACK', '512k'),
      highWatermark: bytes(env, 'BERTH_TERMINAL_HIGH_WATER', '256k'),
      lowWatermark: bytes(env, 'BERTH_TERMINAL_LOW_WATER', '32k'),
      maxInputBytes: bytes(env, 'BERTH_MAX_MESSAGE', '4m'),
      maxPerMachine: int(env, 'BERTH_TERMINALS_PER_MACHINE', 8),
      maxPerSession: int(env, 'BERTH_TERMINALS_PER_SESSION', 24),
      inputQueueBytes: bytes(env, 'BERTH_INPUT_QUEUE', '1m'),
      inputQueueTotalBytes: bytes(env, 'BERTH_INPUT_QUEUE_TOTAL', '64m'),
    },
    proxyOrigin: parseProxyOrigin(env.BERTH_PROXY_ORIGIN),
    proxyPort: int(env, 'BERTH_PROXY_PORT', 0),
    proxySockets: {
      perStudent: int(env, 'BERTH_PROXY_SOCKETS_PER_STUDENT', 32),
      handshakeSeconds: Math.max(1, int(env, 'BERTH_PROXY_HANDSHAKE_SECONDS', 10)),
    },
    transfers: {
      maxUploadBytes: bytes(env, 'BERTH_MAX_UPLOAD', '50m'),
      maxDownloadBytes: bytes(env, 'BERTH_MAX_DOWNLOAD', '200m'),
      perStudent: int(env, 'BERTH_TRANSFERS_PER_STUDENT', 2),
      total: int(env, 'BERTH_TRANSFERS_TOTAL', 8),
    },
    secret: env.BERTH_SECRET || '',
    classroom: loadClassroomConfig(env),
    dev: env.NODE_ENV === 'development',
    logLevel: parseLogLevel(env),
  };
}

function bool(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = (env[name] ?? '').trim().toLowerCase();
  if (raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new Error(`Configuration: ${name}=${JSON.stringify(env[name])} must be true or false`);
}

function loadClassroomConfig(env: NodeJS.ProcessEnv): ClassroomConfig {
  const publicUrl = (env.BERTH_PUBLIC_URL || '').trim().replace(/\/+$/, '');
  if (publicUrl) {
    let url: URL;
    try {
      url = new URL(publicUrl);
    } catch {
      throw new Error(`Configuration: BERTH_PUBLIC_URL=${JSON.stringify(publicUrl)} is not a URL (example: https://berth.school.example)`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`Configuration: BERTH_PUBLIC_URL must start with http:// or https://`);
  }
  return {
    openJoin: bool(env, 'BERTH_OPEN_JOIN', false),
    publicUrl,
    allowedHosts: (env.BERTH_ALLOWED_HOSTS || '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean),
    loginRate: {
      perAddress: int(env, 'BERTH_LOGIN_RATE_ADDRESS', 20),
      perAccount: int(env, 'BERTH_LOGIN_RATE_ACCOUNT', 5),
      windowMinutes: int(env, 'BERTH_LOGIN_RATE_MINUTES', 15),
    },
    joinFailuresPerAddress: int(env, 'BERTH_JOIN_FAILURES', 20),
    joinWindowMinutes: int(env, 'BERTH_JOIN_RATE_MINUTES', 10),
    instructorIdleMinutes: int(env, 'BERTH_INSTRUCTOR_IDLE_MINUTES', 12 * 60),
    prewarmMax: (env.BERTH_PREWARM_MAX ?? '').trim() === '' ? null : int(env, 'BERTH_PREWARM_MAX', 0),
    prewarmLeadMinutes: int(env, 'BERTH_PREWARM_LEAD_MINUTES', 10),
  };
}
