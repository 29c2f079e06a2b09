import path from 'node:path';
import type { Command } from 'commander';
import { createBackend } from '../backend/factory';
import type { LabBackend } from '../backend/lab-backend';
import { loadConfig } from '../config';
import { importKillercoda } from '../labs/import-killercoda';
import { formatForgeCoverage, formatLabTestResult, LabTester } from '../labs/lab-test';
import { scaffoldLab } from '../labs/scaffold';
import { formatIssue, validateLabs } from '../labs/validate';

/**
 * `berth lab …`: the instructor's toolchain. Exit codes are the contract with
 * CI, so commands set process.exitCode rather than printing and hoping.
 */

export interface LabCommandContext {
  /** Where labs live (BERTH_LABS_DIR); read from the configuration when left out. */
  labsDir?: string;
  out?: (line: string) => void;
  err?: (line: string) => void;
  /** Machines for `lab test`; without it the backend is the configured one (BERTH_BACKEND), as in class. */
  createBackend?: () => Promise<LabBackend>;
}

async function configuredBackend(): Promise<LabBackend> {
  // lab test starts its own machines; a warm pool would only add machines to clean up.
  const { backend } = await createBackend({ ...loadConfig(), warmPool: { size: 0 } });
  return backend;
}

export function registerLabCommands(program: Command, ctx: LabCommandContext = {}): void {
  const out = ctx.out ?? ((line: string) => console.log(line));
  const err = ctx.err ?? ((line: string) => console.error(line));
  const labsDir = () => ctx.labsDir ?? loadConfig().labsDir;

  const lab = program.command('lab').description('write, check and import labs');

  lab
    .command('new')
    .description('start a new lab from a template that shows every part of the format')
    .argument('<id>', 'the lab id, also its folder name (lowercase, digits, dashes)')
    .option('--title <title>', 'the lab title')
    .action((id: string, opts: { title?: string }) => {
      try {
        const file = scaffoldLab(labsDir(), id, opts.title);
        out(`wrote ${path.relative(process.cwd(), file) || file}`);
        out(`next: edit it, then \`berth lab validate\` and \`berth lab test ${id}\` (add it to course.yaml to place it in the course)`);
      } catch (e) {
        err(`lab new: ${e instanceof Error ? e.message : String(e)}`);
        process.exitCode = 1;
      }
    });

  lab
    .command('validate')
    .description('check labs without starting machines: schema, references, bash syntax, lint')
    .argument('[paths...]', 'labs folders, lab folders or lab.md files (default: the labs folder)')
    .option('--quiet', 'print errors only')
    .action(async (paths: string[], opts: { quiet?: boolean }) => {
      const targets = paths.length ? paths : [labsDir()];
      const { issues, labs, checked } = await validateLabs(targets);
      const errors = issues.filter((i) => i.severity === 'error');
      const warnings = issues.filter((i) => i.severity === 'warning');
      for (const issue of opts.quiet ? errors : issues) (issue.severity === 'error' ? err : out)(formatIssue(issue));
      out(`${checked} lab(s) checked, ${labs.length} valid: ${errors.length} error(s), ${warnings.length} warning(s)`);
      if (errors.length) process.exitCode = 1;
    });

  lab
    .command('test')
    .description('prove labs on real machines: per step setup, check (must fail), each forge then check (must fail), solve, check (must pass)')
    .argument('[labs...]', 'lab ids, lab folders or labs folders (default: every lab)')
    .option('-j, --parallel <n>', 'labs tested at the same time', '2')
    .option('--keep', 'leave the machines running for debugging')
    .action(async (targets: string[], opts: { parallel: string; keep?: boolean }) => {
      const dir = labsDir();
      // A bare id means the lab of that name in the labs folder.
      const paths = targets.length ? targets.map((t) => (/^[a-z0-9-]+$/.test(t) && !t.includes('/') ? path.join(dir, t) : t)) : [dir];
      const { issues, labs } = await validateLabs(paths);
      const errors = issues.filter((i) => i.severity === 'error');
      for (const issue of errors) err(formatIssue(issue));
      if (errors.length) {
        err('fix the errors above first (berth lab validate)');
        process.exitCode = 1;
        return;
      }
      const backend = await (ctx.createBackend ?? configuredBackend)();
      const { checks } = loadConfig();
      const tester = new LabTester({
        backend,
        parallel: Math.max(1, Number(opts.parallel) || 1),
        keep: opts.keep,
        log: out,
        outputCapBytes: checks.outputCapBytes,
        checkTimeoutSeconds: checks.timeoutSeconds,
      });
      const onSignal = () => {
        err('interrupted: removing every machine started by this test…');
        void tester.abort().then(() => process.exit(130));
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        const results = await tester.run(labs);
        out('');
        for (const result of results) {
          out(formatLabTestResult(result));
          if (result.kept) {
            out(`  machines kept (session ${result.sessionId}); get a shell with:`);
            const lab = labs.find((l) => l.id === result.labId);
            for (const m of lab?.machines ?? []) {
              out(`    docker exec -it $(docker ps -q --filter label=io.berth.session=${result.sessionId} --filter label=io.berth.machine=${m.name}) bash -l`);
            }
          }
          out('');
        }
        const failed = results.filter((r) => !r.ok);
        out(`${results.length - failed.length}/${results.length} lab(s) passed`);
        out(formatForgeCoverage(results));
        if (failed.length || results.length < labs.length) process.exitCode = 1;
      } finally {
        process.removeListener('SIGINT', onSignal);
        process.removeListener('SIGTERM', onSignal);
        // The results are printed and the machines removed; shutdown only stops pool filling, which lab test turned off.
        await backend.shutdown().catch(() => undefined);
      }
    });

  const importer = lab.command('import').description('convert labs from other platforms');
  importer
    .command('killercoda')
    .description('convert a KillerCoda (or Katacoda) scenario folder into a Berth lab')
    .argument('<dir>', 'the scenario folder, holding index.json')
    .option('--out <dir>', 'where to write the lab (default: <labs folder>/<id>)')
    .option('--id <id>', 'lab id (default: from the scenario folder name)')
    .option('--force', 'replace the output folder if it exists')
    .action((dir: string, opts: { out?: string; id?: string; force?: boolean }) => {
      const id = opts.id ?? (opts.out ? path.basename(path.resolve(opts.out)) : undefined);
      const outDir = opts.out ?? path.join(labsDir(), id ?? path.basename(path.resolve(dir)).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, ''));
      const report = importKillercoda(dir, outDir, { id, force: opts.force });
      out(`wrote ${path.relative(process.cwd(), report.labFile)} (lab id ${report.id})`);
      for (const note of report.notes) (note.severity === 'error' ? err : out)(`  ${note.severity}: ${note.source}: ${note.message}`);
      for (const issue of report.issues) (issue.severity === 'error' ? err : out)(`  ${formatIssue(issue)}`);
      const unmapped = report.notes.filter((n) => n.severity === 'error').length;
      out(`review the lab, then run: berth lab validate ${path.relative(process.cwd(), report.outDir)}`);
      if (unmapped || report.issues.some((i) => i.severity === 'error')) process.exitCode = 1;
    });
}
