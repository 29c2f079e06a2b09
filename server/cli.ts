#!/usr/bin/env node
import { Command } from 'commander';
import { loadConfig, type BerthConfig } from './config';
import { connectDocker } from './docker/engine';
import { formatDoctorReport, runDoctor } from './docker/doctor';
import { buildAllImages, imageExists } from './docker/images';
import { startServer } from './http/server';
import { log, useCliLogLevel } from './log';
import { registerLabCommands } from './cli/lab-commands';
import { registerAdminCommands } from './cli/admin-commands';
import { registerOpsCommands } from './ops/ops-commands';
import { FORCED_EXIT_MS, RESTART_NOTICE } from './ops/shutdown';

// A `berth serve` started by a test still logs: the test reads it, the report never shows it.
useCliLogLevel();

const program = new Command();
program.name('berth').description('A self-hosted Docker learning lab.').version('0.1.0');

program
  .command('serve')
  .description('serve Berth: the student site, terminals and checks')
  .option('-p, --port <port>', 'port to listen on (BERTH_PORT)')
  .option('--build-missing-images', 'first build the lab machine images that are missing (as `berth images build`)')
  .action(async (opts: { port?: string; buildMissingImages?: boolean }) => {
    const config = loadConfig(opts.port ? { ...process.env, BERTH_PORT: opts.port } : process.env);
    if (opts.buildMissingImages) await buildMissingImages(config);
    const server = await startServer(config);
    const stop = async (signal: string) => {
      log.info({ signal }, `${signal}: closing; lab machines stay and are re-adopted on the next start`);
      setTimeout(() => {
        log.error(`still closing after ${FORCED_EXIT_MS / 1000} s: exiting anyway; the machines are re-adopted on the next start`);
        process.exit(1);
      }, FORCED_EXIT_MS).unref();
      await server.close({ notice: RESTART_NOTICE });
      process.exit(0);
    };
    process.once('SIGINT', () => void stop('SIGINT'));
    process.once('SIGTERM', () => void stop('SIGTERM'));
  });

program
  .command('doctor')
  .description('probe the Docker engine and recommend an isolation profile')
  .action(async () => {
    const report = await runDoctor(connectDocker(), loadConfig());
    console.log(formatDoctorReport(report));
    process.exitCode = report.recommended ? 0 : 1;
  });

/** Idempotent: builds only the lab images that are absent; a failure is logged and serving goes on. */
async function buildMissingImages(config: BerthConfig): Promise<void> {
  const docker = connectDocker();
  const wanted: Array<[string, string]> = [
    ['dind', config.docker.images.dind],
    ['shell', config.docker.images.shell],
  ];
  const missing: string[] = [];
  for (const [folder, tag] of wanted) if (!(await imageExists(docker, tag))) missing.push(folder);
  if (!missing.length) return;
  log.info({ missing }, `lab images missing (${missing.join(', ')}): building them before serving; this takes a few minutes`);
  const started = Date.now();
  try {
    await buildAllImages(docker, config.docker.images, (line) => log.info(line), missing);
    log.info(`lab images ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (err) {
    log.error(`building lab images failed: ${err instanceof Error ? err.message : String(err)}`);
    log.error('serving anyway; lab machines cannot start until `berth images build` succeeds');
  }
}

const images = program.command('images').description('lab machine images');
images
  .command('build')
  .description('build the lab machine images (creates debian:trixie-slim offline with debootstrap if it cannot be pulled)')
  .option('--only <folders...>', 'build only these folders of images/ (dind, shell, mirror)')
  .action(async (opts: { only?: string[] }) => {
    const config = loadConfig();
    const started = Date.now();
    await buildAllImages(connectDocker(), config.docker.images, (line) => console.log(line), opts.only);
    console.log(`images ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

registerLabCommands(program);
registerAdminCommands(program);
registerOpsCommands(program, images);

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(`berth: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
