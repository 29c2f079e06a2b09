import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChosenBackend } from '../backend/factory';
import type { BerthConfig } from '../config';
import { createContext, type BerthContext } from '../context';
import { log } from '../log';
import { claimDataDir, releaseDataDir } from '../ops/data-dir-lock';
import { refuseStartsWhile, tellEveryone } from '../ops/shutdown';
import { attachRealtime } from '../realtime/socket-server';
import { settleLabsAfterEngineReturn, watchRunningLabs } from '../sessions/stopped-machines';
import { createApp } from './app';
import { startProxyOrigin } from './proxy-origin';
import { routeUpgrade } from './upgrade';

export interface RunningServer {
  url: string;
  ctx: BerthContext;
  /**
   * Stops serving. Machines stay for the next start to re-adopt unless `removeSessions`.
   * `notice`: said to every open page first (a graceful stop); no lab starts meanwhile.
   */
  close(options?: { removeSessions?: boolean; notice?: string }): Promise<void>;
}

/** `backend`: one made by the caller; by default the configuration picks it (BERTH_BACKEND). */
export async function startServer(config: BerthConfig, backend?: ChosenBackend): Promise<RunningServer> {
  // berth.pid tells `berth restore` (and a second serve) that this data dir is in use.
  claimDataDir(config.dataDir);
  const ctx = await createContext(config, backend).catch((err: unknown) => {
    releaseDataDir(config.dataDir);
    throw err;
  });
  const result = await ctx.sessions.reconcile();
  log.info(
    { adopted: result.adopted.length, failed: result.failed.length, removed: result.removed },
    `reconcile: ${result.adopted.length} session(s) re-adopted, ${result.failed.length} failed, ${result.removed} orphan object(s) removed`,
  );
  const app = createApp(ctx);
  let closing = false;
  const server = http.createServer(refuseStartsWhile(() => closing, app));
  server.on('upgrade', (req, socket, head) => routeUpgrade(req, socket, head, ctx));
  const io = attachRealtime(server, ctx);
  ctx.metrics.countSockets(() => io.engine.clientsCount);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const portServer = await startProxyOrigin(ctx);
  ctx.sessions.startSweeper();
  ctx.disk?.start();
  ctx.progress.startTimer();
  // The engine's probe lives in metrics; labs its restart stopped are settled when it answers again.
  ctx.metrics.onEngineBack(() => void settleLabsAfterEngineReturn(ctx.sessions, ctx.store, ctx.backend));
  // Machines stopped while the engine stayed up (by hand, or a pause a restart of Berth cut short).
  const unwatchLabs = watchRunningLabs(ctx.sessions, ctx.store, ctx.backend, () => ctx.metrics.engineAnswering);
  ctx.metrics.start(config.engineProbeSeconds * 1000);
  void ctx.backend.warmUp().catch((err: Error) => log.error({ err }, `warm pool: ${err.message}`));
  const address = server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${host}:${address.port}`;
  log.info({ url, labs: ctx.catalog.all().length }, `serving ${ctx.catalog.all().length} lab(s) on ${url}`);
  announceDoor(ctx, url);
  ctx.classroom.prewarm?.start();
  return {
    url,
    ctx,
    async close(options = {}) {
      closing = true;
      unwatchLabs();
      if (options.notice) await tellEveryone(io, options.notice);
      io.disconnectSockets(true);
      await new Promise<void>((resolve) => {
        io.close(() => resolve());
      });
      server.closeAllConnections();
      portServer?.closeAllConnections();
      portServer?.close();
      if (options.removeSessions) {
        for (const row of ctx.store.liveSessions()) {
          // One session that cannot be stopped must not keep the rest running; reconcile removes its machines on the next start.
          await ctx.sessions.stop(row.id).catch((err: unknown) => log.warn({ sessionId: row.id, err: err instanceof Error ? err.message : String(err) }, 'shutdown: could not stop a session'));
        }
      }
      await ctx.close();
      releaseDataDir(config.dataDir);
    },
  };
}

/** What the administrator must see at start: the first-start setup link, and open practice being on. */
function announceDoor(ctx: BerthContext, url: string): void {
  const link = ctx.classroom.instructors.setupLink(ctx.config.classroom.publicUrl || url);
  if (link) log.warn({ setupLink: link }, `no instructor yet: open ${link} to create the first one (works once; \`berth admin setup-link\` shows it again)`);
  if (ctx.config.classroom.openJoin) {
    log.warn('BERTH_OPEN_JOIN=true: anyone who can reach Berth can join open practice with a name alone and get a lab machine');
  }
}
