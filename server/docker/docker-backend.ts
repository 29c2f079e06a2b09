// Over ~350 lines on purpose: the one LabBackend implementation on Docker, a method per lifecycle promise of
// server/backend/lab-backend.ts; what each call does to the engine lives in the files beside it (machines, networks, exec, shell, files, warm pool).
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import type { BerthConfig, IsolationProfile } from '../config';
import { BackendError, EngineStuck, MachineUnavailable, readState, UnknownMachine, UNSEEN_TERMINAL_SIZE } from '../backend/lab-backend';
import type {
  BackendState,
  ExecOutcome,
  FileOwnership,
  LabBackend,
  MachineSpec,
  SessionHealth,
  SessionSpec,
  ShellStream,
  StartProgress,
  TerminalSize,
} from '../backend/lab-backend';
import { LABEL, errorText, isNotFound, labelsFor, leftForReconcile } from './engine';
import { log, sessionLog } from '../log';
import { createMachine, removeContainer, removeVolume, stopContainer, waitReady } from './machines';
import { connectToNetwork, createSessionNetwork, disconnectFromNetwork, removeNetwork } from './networks';
import { runExec, runScript } from './exec';
import { measureSessionsDisk } from './disk-usage';
import { copyFolderIn, copyOut, writeFileStream } from './files';
import { endAllShells, openDockerShell, openWaitingShell, type WaitingShell } from './shell';
import { watchEngineEvents } from './engine-watch';
import { WarmPool, type PooledMachine } from './warm-pool';

interface MachineRecord {
  name: string;
  containerId: string;
  containerName: string;
  volume: string | null;
  docker: boolean;
  /** The lab's env, handed to checks directly: a file in the machine is the student's to edit. */
  env?: Record<string, string>;
}

/** Version 1 is also what rows stored before versions existed hold (no `v`). */
interface DockerState extends BackendState {
  backend: 'docker';
  v?: 1;
  sessionId: string;
  network: string;
  machines: MachineRecord[];
}

const READY_TIMEOUT_MS = 90_000;
/**
 * How long a whole start may take before the student is told it failed. Every engine call on the way
 * (network, create, start, exec) can hang when the engine does; without a bound the page would say
 * "Starting…" for good. Past READY_TIMEOUT_MS, so a machine that is merely slow gets that error first.
 */
export const START_DEADLINE_MS = 150_000;
/**
 * How long a crowded machine's dockerd waits for its first use before it starts anyway (startMachine).
 * Longer than a class's start takes on a small host: at 20 s, a cold class of 30 (25–30 s here) had
 * the first machines' dockerds start while the last students still waited, and took 30 % longer.
 */
const DEFERRED_DOCKERD_SECONDS = 60;
/** A main shell opened ahead of its page ends if no page asked for it by then. */
const OFFERED_SHELL_MS = 60_000;

function dockerState(raw: BackendState): DockerState {
  return readState<DockerState>(raw, 'docker', 1);
}

/**
 * The engine's "no such container" (404) and "container is not running" (409)
 * in LabBackend's words, so nothing above server/docker reads Docker's error shapes.
 */
async function onMachine<T>(machine: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    const status = (err as { statusCode?: number }).statusCode;
    if (status === 404 && !(err instanceof BackendError)) throw new MachineUnavailable(machine, 'it no longer exists');
    if (status === 409) throw new MachineUnavailable(machine, 'it is not running');
    throw err;
  }
}

/** Lab machines as containers on the local engine; the only LabBackend for now. */
export class DockerBackend implements LabBackend {
  readonly name = 'docker';
  private readonly pool: WarmPool;

  constructor(
    private readonly docker: Docker,
    private readonly config: BerthConfig,
    private readonly profile: IsolationProfile,
    private readonly startDeadlineMs = START_DEADLINE_MS,
  ) {
    this.pool = new WarmPool(config.warmPool.size, (suffix) => this.createPoolMachine(suffix), (m) => this.discard(m));
  }

  private prefix(): string {
    return `berth-${this.config.docker.instanceId}`;
  }

  imageFor(spec: MachineSpec): string {
    if (spec.image === 'dind' || spec.image === '') return this.config.docker.images.dind;
    if (spec.image === 'shell') return this.config.docker.images.shell;
    return spec.image;
  }

  /** A lab's own limits, never past the server's maximums: a lab pack is not trusted with the host. */
  private machineLimits(spec?: MachineSpec) {
    const l = this.config.docker.limits;
    return {
      memoryBytes: Math.min(spec?.memoryBytes ?? l.machineMemoryBytes, l.maxMemoryBytes),
      nanoCpus: Math.min(spec?.cpus !== undefined ? Math.round(spec.cpus * 1e9) : l.machineNanoCpus, l.maxNanoCpus),
      pids: Math.min(spec?.pids ?? l.machinePids, l.maxPids),
    };
  }

  /** Whether a waiting machine of the pool can stand in for this one (the pool holds Docker machines of the lab image). */
  private poolServes(m: MachineSpec): boolean {
    return m.docker && this.imageFor(m) === this.config.docker.images.dind;
  }

  /** Waiting machines claimed for a session's next start, in the order of its machines. */
  private readonly claimed = new Map<string, PooledMachine[]>();

  claimWarm(spec: SessionSpec): boolean {
    if (!spec.machines.length || !spec.machines.every((m) => this.poolServes(m)) || this.pool.size() < spec.machines.length) return false;
    this.claimed.set(spec.sessionId, spec.machines.map(() => this.pool.take()!));
    return true;
  }

  async start(spec: SessionSpec, progress: StartProgress = () => undefined): Promise<BackendState> {
    this.pool.startBegan();
    const claimed = this.claimed.get(spec.sessionId);
    this.claimed.delete(spec.sessionId);
    // A lab of one machine takes a waiting machine together with its own network, which becomes the
    // session's: nothing to create, connect or leave on the student's way to a prompt.
    const only = spec.machines.length === 1 ? spec.machines[0] : undefined;
    const solo = only ? (claimed?.[0] ?? (this.poolServes(only) ? this.pool.take() : undefined)) : undefined;
    const state: DockerState = { backend: 'docker', v: 1, sessionId: spec.sessionId, network: solo?.network ?? `${this.prefix()}-${spec.sessionId}`, machines: [] };
    let step = 'creating your private network';
    const work = this.startSession(spec, state, solo, claimed, (e) => {
      if (e.detail) step = e.detail;
      progress(e);
    });
    try {
      return await this.beforeDeadline(work, () => step);
    } catch (err) {
      if (err instanceof EngineStuck) {
        // The stuck call may still return: what the start made by then goes too (its own failure cleans up
        // after itself). Waiting machines it took are found by no session label until renamed: removed by hand.
        const taken = [...new Set([solo, ...(claimed ?? [])])].filter((m): m is PooledMachine => m !== undefined);
        const removeAll = async () => {
          await Promise.all(taken.map((m) => this.discard(m).catch(leftForReconcile(`removing pool machine ${m.containerId}`))));
          await this.stop(state).catch(leftForReconcile(`removing session ${spec.sessionId} after its start hung`));
        };
        void work.then(removeAll, () => undefined);
        await removeAll();
      }
      throw err;
    } finally {
      this.pool.startEnded();
    }
  }

  private async startSession(
    spec: SessionSpec,
    state: DockerState,
    solo: PooledMachine | undefined,
    claimed: PooledMachine[] | undefined,
    progress: StartProgress,
  ): Promise<BackendState> {
    const network = state.network;
    const labels = labelsFor(this.config.docker.instanceId, 'network', {
      [LABEL.session]: spec.sessionId,
      [LABEL.lab]: spec.labId,
      [LABEL.student]: spec.studentId,
    });
    progress({ phase: 'network', detail: 'creating your private network' });
    // A warm machine's rename, limits and hostname need no network: they run while it is created.
    // A fresh machine is created on it, so that path waits for it first.
    const networkReady = solo ? Promise.resolve(network) : createSessionNetwork(this.docker, network, labels);
    // Awaited below; this only keeps a rejection before then from counting as unhandled.
    networkReady.catch(() => undefined);
    try {
      // Machines start in parallel: each waits on its own inner dockerd.
      state.machines = await Promise.all(
        spec.machines.map(async (m) => {
          progress({ phase: 'machine', machine: m.name, detail: `starting ${m.name}` });
          const given = spec.machines.length === 1 ? solo : claimed?.[spec.machines.indexOf(m)];
          const record = await this.startMachine(spec, m, network, networkReady, given, m === spec.machines[0]);
          if (!this.prepared.delete(record)) await this.prepareMachine(record, m);
          progress({ phase: 'ready', machine: m.name, detail: `${m.name} is ready` });
          return record;
        }),
      );
      await networkReady;
      void this.pool.refill();
      return state;
    } catch (err) {
      // The network may still be being created when a machine fails: let it exist before it is removed.
      // Its own failure, if any, is already the error thrown below or among the machines' failures.
      await networkReady.catch(() => undefined);
      await this.stop({ ...state, machines: await this.findSessionMachines(spec.sessionId) }).catch(leftForReconcile(`removing session ${spec.sessionId} after a failed start`));
      throw err;
    }
  }

  /**
   * `given`: a waiting machine taken for this one (claimed, or for a lab of one machine, whose network
   * then is the session's); otherwise the pool is asked here. `first`: the
   * lab's first machine, whose main terminal the page opens at once: its shell is opened while the
   * machine gets ready and handed to that first `openShell`.
   */
  private async startMachine(
    spec: SessionSpec,
    m: MachineSpec,
    network: string,
    networkReady: Promise<unknown>,
    given: PooledMachine | undefined,
    first: boolean,
  ): Promise<MachineRecord> {
    const containerName = `${this.prefix()}-${spec.sessionId}-${m.name}`;
    const pooled = given ?? (this.poolServes(m) ? this.pool.take() : undefined);
    if (pooled) {
      try {
        return await this.adopt(pooled, containerName, network, networkReady, m);
      } catch (err) {
        sessionLog(spec.sessionId).warn(`warm pool: could not adopt ${pooled.containerId.slice(0, 12)}, starting a fresh machine: ${errorText(err)}`);
        // A network that is now the session's stays for the fresh machine.
        await this.discard(pooled, pooled.network === network);
      }
    }
    await networkReady;
    const volume = m.docker ? `${containerName}-docker` : null;
    // Alone, a machine starts its dockerd at once, and it is ready before the student types. Among
    // others starting (a class pressing Start together, a lab of several machines), each dockerd waits
    // for its first use (or DEFERRED_DOCKERD_SECONDS): ~0.8 s of CPU apiece, which would otherwise
    // stand between every student and their prompt on a small host.
    const crowded = this.coldStarts > 0 || spec.machines.length > 1;
    this.coldStarts++;
    try {
      return await this.startColdMachine(spec, m, { network, containerName, volume, first, crowded });
    } finally {
      this.coldStarts--;
    }
  }

  /** Machines being created and started from scratch right now (not adopted from the warm pool). */
  private coldStarts = 0;

  private async startColdMachine(
    spec: SessionSpec,
    m: MachineSpec,
    { network, containerName, volume, first, crowded }: { network: string; containerName: string; volume: string | null; first: boolean; crowded: boolean },
  ): Promise<MachineRecord> {
    const image = this.imageFor(m);
    const labels = labelsFor(this.config.docker.instanceId, 'machine', {
      [LABEL.session]: spec.sessionId,
      [LABEL.lab]: spec.labId,
      [LABEL.machine]: m.name,
      [LABEL.student]: spec.studentId,
    });
    const container = await createMachine(this.docker, {
      containerName,
      hostname: m.name,
      image,
      docker: m.docker,
      profile: this.profile,
      network: { name: network, aliases: [m.name] },
      labels,
      volumeName: volume ?? undefined,
      env: m.env,
      ...this.machineLimits(m),
      logBytes: this.config.docker.limits.machineLogBytes,
      diskBytes: this.config.docker.limits.machineDiskBytes,
      registryMirror: this.config.docker.registryMirror,
      dockerdWhenUsedSeconds: crowded ? DEFERRED_DOCKERD_SECONDS : undefined,
    });
    await container.start();
    const record: MachineRecord = { name: m.name, containerId: container.id, containerName, volume, docker: m.docker };
    // Env and files need a running container, not its inner dockerd: they are written while the
    // entrypoint runs. The first machine's main shell writes the env before bash starts (bash reads it
    // once, at start): one exec on the student's way to a prompt where two were.
    const preparing = first
      ? (async () => {
          record.env = { ...m.env };
          const shell = openDockerShell(container, UNSEEN_TERMINAL_SIZE, {}, { setup: this.prepareScript(m) });
          this.offerShell(container.id, shell);
          // A shell that failed is never handed over (openShell opens another): the env is written the usual way.
          if (!(await shell.then(() => true, () => false))) await this.prepareMachine(record, m);
          else await this.copyFiles(container, m);
        })()
      : this.prepareMachine(record, m);
    await Promise.all([this.waitForStudent(container, spec.sessionId, m, !crowded), preparing]);
    this.prepared.add(record);
    return record;
  }

  /**
   * A machine is the student's once its entrypoint says so: on a Docker machine that is when Docker's
   * socket listens, before the inner dockerd has started (a docker command waits for it in the socket's
   * queue). That dockerd's own start is followed here only to log a failure: the machine stays up
   * (the student's shell is open), its docker commands fail, and its /var/log/dockerd.log says why.
   */
  private async waitForStudent(container: Docker.Container, sessionId: string, m: { name: string; docker: boolean }, followDocker = true): Promise<void> {
    await waitReady(container, READY_TIMEOUT_MS, 'prompt');
    // A dockerd that waits for its first use may not start for a while: nothing to follow then.
    if (!m.docker || !followDocker) return;
    waitReady(container, READY_TIMEOUT_MS, 'docker').catch((err: unknown) => {
      // A machine removed or paused before its dockerd answered is not a failure of its dockerd, nor is
      // one still waiting for its first use (the entrypoint itself gives up on a dockerd after 60 s).
      if (/failed to start/.test(errorText(err))) {
        sessionLog(sessionId).warn({ machine: m.name, err: errorText(err) }, "the machine's own dockerd did not start");
      }
    });
  }

  /** Machines whose env and files were written while they started (prepareMachine is not run again). */
  private readonly prepared = new WeakSet<MachineRecord>();

  /** How long each step of the last warm-pool adoption took (ms; they run side by side), for bench/first-prompt.ts. */
  lastAdoption: { network: number; rename: number; limits: number; hostname: number; total: number } | null = null;

  /**
   * A warm machine joins the session under its new name, takes the lab's
   * limits and hostname, and, unless its own network is the session's, moves
   * to the session network and leaves its own. Hostname and env are kept in
   * files so a paused-and-resumed machine gets them back.
   */
  private async adopt(pooled: PooledMachine, containerName: string, network: string, networkReady: Promise<unknown>, m: MachineSpec): Promise<MachineRecord> {
    const container = this.docker.getContainer(pooled.containerId);
    const limits = this.machineLimits(m);
    const record: MachineRecord = { name: m.name, containerId: pooled.containerId, containerName, volume: pooled.volume, docker: true };
    record.env = { ...m.env };
    // /etc/hosts and /etc/hostname are bind mounts: rewrite them in place (replacing the file would fail).
    // The lab's env goes in the same setup, which the machine's main shell runs before bash starts.
    const old = pooled.hostname;
    const setHost = [
      `echo ${m.name} > /etc/berth-hostname`,
      `hostname ${m.name}`,
      `echo ${m.name} > /etc/hostname`,
      // Builtins only: a sed in a subshell took 5.5 ms of the machine's CPU, each student of a class starting at once.
      // The pool's names are `pool-` and 8 hex digits, each on its line once, and no other name holds one.
      `{ h=; while IFS= read -r l || [ -n "$l" ]; do case $l in *${old}*) l="\${l%%${old}*}${m.name}\${l#*${old}}";; esac; h="$h$l\n"; done < /etc/hosts; printf '%s' "$h" > /etc/hosts; }`,
      envScript(m.env),
    ].join(' && ');
    const steps = { network: 0, rename: 0, limits: 0, hostname: 0, total: 0 };
    const timed = async (step: keyof typeof steps, work: () => Promise<unknown>) => {
      const t0 = performance.now();
      await work();
      steps[step] = performance.now() - t0;
    };
    const t0 = performance.now();
    const moves = pooled.network !== network;
    // The steps touch different parts of the container, so they run side by side: the student waits
    // for the slowest, not for their sum. A machine that moves has left its own network before it is handed over.
    await Promise.all([
      // Leaving needs nothing else; joining waits for the session network to exist.
      moves
        ? timed('network', () =>
            Promise.all([
              networkReady.then(() => connectToNetwork(this.docker, network, pooled.containerId, [m.name])),
              disconnectFromNetwork(this.docker, pooled.network, pooled.containerId),
            ]),
          )
        : Promise.resolve(),
      timed('rename', () => container.rename({ name: containerName })),
      // A waiting machine runs with the default limits already: a lab that asks for no others changes nothing.
      sameLimits(limits, this.machineLimits())
        ? Promise.resolve()
        : timed('limits', () => container.update({ Memory: limits.memoryBytes, MemorySwap: limits.memoryBytes, NanoCpus: limits.nanoCpus, PidsLimit: limits.pids })),
      timed('hostname', async () => {
        // The main shell sets the hostname and env before bash starts, and waits for the machine's first
        // terminal (the lab's first machine's is opened at once). The machine's waiting shell is that shell
        // with no exec to pay now; a fresh one (the waiting shell lost with the engine's connection, or
        // refused its setup) costs one. Resolves once bash runs.
        const fresh = () => openDockerShell(container, UNSEEN_TERMINAL_SIZE, {}, { setup: setHost });
        const shell = pooled.shell ? pooled.shell.begin(setHost).catch(fresh) : fresh();
        this.offerShell(pooled.containerId, shell);
        await shell.catch((err: unknown) => {
          throw new Error(`could not rename pooled machine: ${errorText(err)}`);
        });
      }),
    ]);
    steps.total = performance.now() - t0;
    this.lastAdoption = steps;
    // Nothing is on the machine's own network any more; removing it is engine work the student need not wait for.
    if (moves) void removeNetwork(this.docker, pooled.network).catch((err: unknown) => log.warn({ err: errorText(err) }, `warm pool: could not remove ${pooled.network}`));
    await this.copyFiles(container, m);
    this.prepared.add(record);
    return record;
  }

  private async prepareMachine(record: MachineRecord, m: MachineSpec): Promise<void> {
    const container = this.docker.getContainer(record.containerId);
    record.env = { ...m.env };
    await runExec(container, ['/bin/sh', '-c', this.prepareScript(m)], { timeoutMs: 10_000, outputCapBytes: 4096 });
    await this.copyFiles(container, m);
  }

  /** The lab's env for the machine's shells, and the name a restart gives the machine back. */
  private prepareScript(m: MachineSpec): string {
    return `${envScript(m.env)}\necho ${m.name} > /etc/berth-hostname`;
  }

  private async copyFiles(container: Docker.Container, m: MachineSpec): Promise<void> {
    for (const file of m.files) {
      await copyFolderIn(container, file.from, file.to, file.mode);
    }
  }

  private async findSessionMachines(sessionId: string): Promise<MachineRecord[]> {
    const containers = await this.docker.listContainers({
      all: true,
      filters: { label: [`${LABEL.instance}=${this.config.docker.instanceId}`] },
    });
    const prefix = `/${this.prefix()}-${sessionId}-`;
    return containers
      .filter((c) => c.Labels[LABEL.session] === sessionId || c.Names.some((n) => n.startsWith(prefix)))
      .map((c) => {
        const name = (c.Names.find((n) => n.startsWith(prefix)) ?? c.Names[0]).slice(1);
        const volume = c.Mounts.find((mt) => mt.Destination === '/var/lib/docker')?.Name ?? null;
        return { name: name.slice(prefix.length - 1), containerId: c.Id, containerName: name, volume, docker: volume !== null };
      });
  }

  async stop(raw: BackendState): Promise<void> {
    const state = dockerState(raw);
    for (const m of state.machines) this.dropShell(m.containerId);
    const known = new Map(state.machines.map((m) => [m.containerId, m]));
    for (const m of await this.findSessionMachines(state.sessionId)) known.set(m.containerId, m);
    await Promise.all(
      [...known.values()].map(async (m) => {
        await removeContainer(this.docker, m.containerId);
        if (m.volume) await removeVolume(this.docker, m.volume);
      }),
    );
    await removeNetwork(this.docker, state.network);
  }

  async pause(raw: BackendState): Promise<void> {
    const state = dockerState(raw);
    for (const m of state.machines) this.dropShell(m.containerId);
    await Promise.all(state.machines.map((m) => stopContainer(this.docker, m.containerId)));
  }

  /**
   * Bounded like a start. At the deadline nothing is removed: the machines hold the student's work,
   * and the stuck call may yet wake them, which the next resume takes as it finds them (running).
   */
  async resume(raw: BackendState, progress: StartProgress = () => undefined): Promise<BackendState> {
    const state = dockerState(raw);
    this.pool.startBegan();
    let step = 'waking your machines';
    const work = this.resumeMachines(state, (e) => {
      if (e.detail) step = e.detail;
      progress(e);
    });
    try {
      await this.beforeDeadline(work, () => step);
    } finally {
      this.pool.startEnded();
    }
    return state;
  }

  /** `work` (a start's or a resume's), or at the start deadline EngineStuck naming the step `step()` says it is on. */
  private async beforeDeadline<T>(work: Promise<T>, step: () => string): Promise<T> {
    // Settled here too, so that a rejection after the deadline is not an unhandled one.
    work.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new EngineStuck(Math.round(this.startDeadlineMs / 1000), step())), this.startDeadlineMs);
    });
    try {
      return await Promise.race([work, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async resumeMachines(state: DockerState, progress: StartProgress): Promise<void> {
    await Promise.all(
      state.machines.map(async (m) => {
        progress({ phase: 'machine', machine: m.name, detail: `waking ${m.name}` });
        const container = this.docker.getContainer(m.containerId);
        const info = await container.inspect();
        if (!info.State.Running) await container.start();
        await this.waitForStudent(container, state.sessionId, m);
        progress({ phase: 'ready', machine: m.name, detail: `${m.name} is ready` });
      }),
    );
  }

  async poll(raw: BackendState): Promise<SessionHealth> {
    const state = dockerState(raw);
    let running = 0;
    let stopped = 0;
    for (const m of state.machines) {
      try {
        const info = await this.docker.getContainer(m.containerId).inspect();
        if (info.State.Running) running++;
        else stopped++;
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    const total = state.machines.length;
    if (running === total) return 'running';
    if (stopped === total) return 'paused';
    if (running === 0 && stopped === 0) return 'gone';
    return 'partial';
  }

  private record(raw: BackendState, machine: string): MachineRecord {
    const record = dockerState(raw).machines.find((m) => m.name === machine);
    if (!record) throw new UnknownMachine(machine);
    return record;
  }

  private container(raw: BackendState, machine: string): Docker.Container {
    return this.docker.getContainer(this.record(raw, machine).containerId);
  }

  async exec(state: BackendState, machine: string, script: string, opts: { timeoutMs: number; outputCapBytes: number }): Promise<ExecOutcome> {
    // Checks and solves are the lab's answers: they travel on stdin, never in argv (where `ps`
    // shows them) or a file, and source nothing in the machine (the student is root there and
    // could append `exit 0` to any profile). The lab env comes from Berth's own record.
    const record = this.record(state, machine);
    const labEnv = Object.entries(record.env ?? {}).map(([k, v]) => `${k}=${v}`);
    return onMachine(machine, () =>
      runScript(this.docker.getContainer(record.containerId), script, {
        ...opts,
        env: ['HOME=/root', 'LANG=C.UTF-8', 'BASH_ENV=', 'ENV=', ...labEnv],
        workingDir: '/root',
      }),
    );
  }

  async openShell(state: BackendState, machine: string, size: TerminalSize, env: Record<string, string> = {}): Promise<ShellStream> {
    const offered = Object.keys(env).length === 0 ? this.takeShell(this.record(state, machine).containerId) : undefined;
    // An offered shell that failed to open is not handed over: a new one is opened below.
    const shell = offered && (await offered.catch(() => null));
    if (shell && (await shell.running?.())) {
      await shell.resize(size);
      return shell;
    }
    return onMachine(machine, () => openDockerShell(this.container(state, machine), size, env));
  }

  /** Main shells opened while their machine got ready, each waiting for the first openShell of its machine. */
  private readonly offered = new Map<string, { shell: Promise<ShellStream>; timer: NodeJS.Timeout }>();

  private offerShell(containerId: string, shell: Promise<ShellStream>): void {
    shell.catch(() => undefined); // a failed one is never handed over: openShell opens another
    this.dropShell(containerId);
    // Nobody asked (the lab stopped before its page came): it must not run on unwatched.
    const timer = setTimeout(() => this.dropShell(containerId), OFFERED_SHELL_MS);
    timer.unref();
    this.offered.set(containerId, { shell, timer });
  }

  private takeShell(containerId: string): Promise<ShellStream> | undefined {
    const offer = this.offered.get(containerId);
    if (!offer) return undefined;
    clearTimeout(offer.timer);
    this.offered.delete(containerId);
    return offer.shell;
  }

  private dropShell(containerId: string): void {
    void this.takeShell(containerId)
      ?.then((shell) => shell.close())
      // Nobody took the shell and its machine is going: a failed open or close leaves nothing to undo.
      .catch(() => undefined);
  }

  async endStaleShells(raw: BackendState): Promise<void> {
    const state = dockerState(raw);
    await Promise.all(
      state.machines.map((m) =>
        endAllShells(this.docker.getContainer(m.containerId)).catch((err: unknown) =>
          // A machine that cannot be reached has no shell a student could see; the session goes on.
          sessionLog(state.sessionId).warn({ machine: m.name, err: errorText(err) }, 'could not end the shells a previous Berth left'),
        ),
      ),
    );
  }

  async copyIn(state: BackendState, machine: string, hostDir: string, target: string, mode?: string): Promise<void> {
    await copyFolderIn(this.container(state, machine), hostDir, target, mode);
  }

  async copyOut(state: BackendState, machine: string, path: string): Promise<Readable> {
    return copyOut(this.container(state, machine), path);
  }

  async diskUsage(states: BackendState[]): Promise<number[]> {
    return measureSessionsDisk(this.docker, states);
  }

  async writeFile(state: BackendState, machine: string, dir: string, name: string, body: Readable, size: number, owner?: FileOwnership): Promise<void> {
    await writeFileStream(this.container(state, machine), dir, name, body, size, owner);
  }

  async ping(): Promise<void> {
    await this.docker.ping();
  }

  watchEngine(onLost: () => void): Promise<() => void> {
    return watchEngineEvents(this.docker, onLost);
  }

  async endpoint(raw: BackendState, machine: string, port: number): Promise<{ host: string; port: number }> {
    const state = dockerState(raw);
    const info = await this.container(raw, machine).inspect();
    const ip = info.NetworkSettings.Networks[state.network]?.IPAddress;
    if (!ip) throw new Error(`machine ${machine} has no address on its session network`);
    return { host: ip, port };
  }

  /**
   * The session a container of ours belongs to: by name first, since a machine
   * adopted from the warm pool keeps the labels it was created with.
   */
  private sessionOf(c: Docker.ContainerInfo): string | undefined {
    const re = new RegExp(`^/${escapeRe(this.prefix())}-([a-z0-9]{12})-`);
    return c.Names.map((n) => re.exec(n)?.[1]).find(Boolean) ?? c.Labels[LABEL.session];
  }

  async listSessions(): Promise<string[]> {
    const containers = await this.docker.listContainers({ all: true, filters: { label: [`${LABEL.instance}=${this.config.docker.instanceId}`] } });
    const sessions = new Set<string>();
    for (const c of containers) {
      const id = this.sessionOf(c);
      if (id) sessions.add(id);
    }
    return [...sessions];
  }

  async removeOrphans(keep: Set<string>): Promise<number> {
    const filters = { label: [`${LABEL.instance}=${this.config.docker.instanceId}`] };
    let removed = 0;
    const containers = await this.docker.listContainers({ all: true, filters });
    const poolIds = new Set(this.pool.ids());
    // A network in use by a machine that stays stays too: an adopted pool machine's own network is its
    // session's, and it carries no session label (a network's labels are fixed when it is made).
    const keptNetworks = new Set<string>();
    for (const c of containers) {
      const session = this.sessionOf(c);
      const role = c.Labels[LABEL.role];
      const kept = role === 'pool' && !session ? poolIds.has(c.Id) : Boolean(session && keep.has(session));
      if (kept) {
        for (const name of Object.keys(c.NetworkSettings?.Networks ?? {})) keptNetworks.add(name);
        continue;
      }
      await removeContainer(this.docker, c.Id);
      removed++;
    }
    const inUse = new Set<string>();
    for (const c of await this.docker.listContainers({ all: true })) for (const mt of c.Mounts) if (mt.Name) inUse.add(mt.Name);
    const volumes = (await this.docker.listVolumes({ filters })).Volumes ?? [];
    for (const v of volumes) {
      if (inUse.has(v.Name)) continue;
      await removeVolume(this.docker, v.Name).catch(leftForReconcile(`removing volume ${v.Name}`));
      removed++;
    }
    for (const n of await this.docker.listNetworks({ filters })) {
      const session = n.Labels?.[LABEL.session];
      if ((session && keep.has(session)) || keptNetworks.has(n.Name)) continue;
      await removeNetwork(this.docker, n.Name).catch(leftForReconcile(`removing network ${n.Name}`));
      removed++;
    }
    return removed;
  }

  /* ---- warm pool ---- */

  private async createPoolMachine(suffix: string): Promise<PooledMachine> {
    const containerName = `${this.prefix()}-pool-${suffix}`;
    // Its own bridge, named as the machine: the session network of the one-machine lab that takes it.
    const network = containerName;
    const hostname = `pool-${suffix}`;
    const volume = `${containerName}-docker`;
    await createSessionNetwork(this.docker, network, labelsFor(this.config.docker.instanceId, 'network'));
    let container: Docker.Container;
    try {
      container = await createMachine(this.docker, {
        containerName,
        hostname,
        image: this.config.docker.images.dind,
        docker: true,
        profile: this.profile,
        network: { name: network, aliases: [] },
        labels: labelsFor(this.config.docker.instanceId, 'pool'),
        volumeName: volume,
        env: {},
        ...this.machineLimits(),
        logBytes: this.config.docker.limits.machineLogBytes,
        diskBytes: this.config.docker.limits.machineDiskBytes,
        registryMirror: this.config.docker.registryMirror,
      });
    } catch (err) {
      await removeNetwork(this.docker, network).catch(leftForReconcile(`removing network ${network} of a pool machine that was not made`));
      throw err;
    }
    const pooled: PooledMachine = { containerId: container.id, volume, hostname, network };
    try {
      await container.start();
      // A waiting machine is handed over whole: its dockerd already answers.
      await waitReady(container, READY_TIMEOUT_MS, 'docker');
    } catch (err) {
      await this.discard(pooled);
      throw err;
    }
    try {
      // A machine that cannot take a shell now would fail its student.
      pooled.shell = await openWaitingShell(container, UNSEEN_TERMINAL_SIZE);
    } catch (err) {
      await this.discard(pooled);
      throw new Error(`its main shell could not be opened: ${errorText(err)}`, { cause: err });
    }
    return pooled;
  }

  /** `keepNetwork`: the machine's network has become a session's and outlives it. */
  private async discard(m: PooledMachine, keepNetwork = false): Promise<void> {
    m.shell?.discard();
    this.dropShell(m.containerId);
    await removeContainer(this.docker, m.containerId);
    await removeVolume(this.docker, m.volume);
    if (!keepNetwork) await removeNetwork(this.docker, m.network);
  }

  /** Re-adopts running pool machines left by a previous run, then fills the pool. */
  async warmUp(): Promise<void> {
    const containers = await this.docker.listContainers({
      all: true,
      filters: { label: [`${LABEL.instance}=${this.config.docker.instanceId}`, `${LABEL.role}=pool`] },
    });
    const poolPrefix = `/${this.prefix()}-pool-`;
    for (const c of containers) {
      const name = c.Names.find((n) => n.startsWith(poolPrefix));
      if (!name) continue;
      const volume = c.Mounts.find((mt) => mt.Destination === '/var/lib/docker')?.Name;
      // Only on its own network (named as the machine) may it become a session's; an older Berth's shared pool network may not.
      const network = name.slice(1);
      const own = Object.keys(c.NetworkSettings?.Networks ?? {}).includes(network);
      const shell = c.State === 'running' && volume && own && this.pool.size() < this.config.warmPool.size ? await this.reopenWaitingShell(c.Id) : null;
      if (shell && volume) {
        this.pool.add({ containerId: c.Id, volume, hostname: name.slice(poolPrefix.length - 4), network, shell });
      } else {
        await removeContainer(this.docker, c.Id);
        if (volume) await removeVolume(this.docker, volume);
        if (own) await removeNetwork(this.docker, network).catch(leftForReconcile(`removing network ${network} of a stale pool machine`));
      }
    }
    await this.pool.refill();
  }

  /** A waiting machine left by an earlier run: the shell that waited in it lost its connection and would wait unread for ever. */
  private async reopenWaitingShell(containerId: string): Promise<WaitingShell | null> {
    const container = this.docker.getContainer(containerId);
    try {
      await endAllShells(container);
      return await openWaitingShell(container, UNSEEN_TERMINAL_SIZE);
    } catch (err) {
      log.warn({ err: errorText(err), container: containerId.slice(0, 12) }, 'warm pool: a waiting machine left by the last run takes no shell; it is removed');
      return null;
    }
  }

  poolStats(): { ready: number; target: number } {
    return { ready: this.pool.size(), target: this.pool.targetSize() };
  }

  /** Scheduled pre-warm: `extra` started machines on top of BERTH_WARM_POOL until set back to 0. */
  async prewarm(extra: number): Promise<{ ready: number; target: number }> {
    await this.pool.setExtra(extra);
    return this.poolStats();
  }

  async shutdown(): Promise<void> {
    await this.pool.stopFilling();
  }

  /** Every object of this instance, the warm pool and its network included. */
  async removeEverything(): Promise<number> {
    await this.pool.stopFilling();
    // Waiting machines are spared by removeOrphans (they are the pool's); after `down` there is no pool.
    const waiting = this.pool.drain();
    // What a discard leaves, removeOrphans below finds by its label.
    await Promise.all(waiting.map((m) => this.discard(m).catch(leftForReconcile(`removing pool machine ${m.containerId}`))));
    return waiting.length + (await this.removeOrphans(new Set()));
  }
}


function sameLimits(a: { memoryBytes: number; nanoCpus: number; pids: number }, b: { memoryBytes: number; nanoCpus: number; pids: number }): boolean {
  return a.memoryBytes === b.memoryBytes && a.nanoCpus === b.nanoCpus && a.pids === b.pids;
}

/** Writes a lab's env where every login shell reads it, with shell builtins only (no process to start). */
function envScript(env: Record<string, string>): string {
  const lines = Object.entries(env).map(([k, v]) => shellQuote(`export ${k}=${shellQuote(v)}`));
  return `{ [ -d /etc/profile.d ] || mkdir -p /etc/profile.d; } && printf '%s\\n' ${lines.join(' ')} > /etc/profile.d/berth-lab.sh`;
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
