#!/usr/bin/env node
/**
 * `npm test`: everything, against the real Docker engine. Builds what the
 * tests need (cached: seconds when nothing changed), runs typecheck, lint and
 * every jest project, then prints one line `N passed, N failed` from jest's
 * JSON result and exits non-zero on any failure.
 *
 * `node tests/run-tests.js --unit`: typecheck, lint and the unit project only,
 * with no Docker engine needed (the session and progress tests run on the
 * in-memory fake backend) and nothing to build. Other arguments go to jest.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const results = path.join(root, 'test-results');
fs.mkdirSync(results, { recursive: true });

function phase(name, cmd, args, opts = {}) {
  const started = Date.now();
  console.log(`\n=== ${name}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: process.env, ...opts });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`=== ${name}: ${r.status === 0 ? 'ok' : `FAILED (exit ${r.status ?? r.signal})`} in ${secs} s`);
  return r.status === 0;
}

function fail(message) {
  console.error(`\n${message}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const unitOnly = process.argv.includes('--unit');
const passThrough = process.argv.slice(2).filter((a) => a !== '--unit');

if (!unitOnly && !fs.existsSync('/var/run/docker.sock') && !process.env.DOCKER_HOST) {
  fail('No Docker engine: /var/run/docker.sock is missing. Start dockerd (or set DOCKER_HOST) and run `npm test` again.');
}

const berth = [path.join(root, 'dist/server/cli.js')];
const setupOk =
  phase('typecheck', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']) &&
  phase('typecheck client', 'npx', ['tsc', '-p', 'client/tsconfig.json', '--noEmit']) &&
  phase('lint', 'npx', ['eslint', '--no-error-on-unmatched-pattern', 'server', 'client/src', 'tests', 'bench', '*.js']) &&
  (unitOnly || (phase('lab images', 'node', [...berth, 'images', 'build']) && phase('registry mirror', 'bash', ['tests/mirror/seed.sh'])));
if (!setupOk) fail('A preparation phase failed; see above.');

const jsonFile = path.join(results, 'jest.json');
fs.rmSync(jsonFile, { force: true });
const jestArgs = ['jest', '--runInBand', '--json', `--outputFile=${jsonFile}`, ...(unitOnly ? ['--selectProjects', 'unit'] : []), ...passThrough];
phase('jest', 'npx', jestArgs);

if (!fs.existsSync(jsonFile)) fail('jest wrote no result file.');
const report = JSON.parse(fs.readFileSync(jsonFile, 'utf8'));
const failedSuites = report.numRuntimeErrorTestSuites || 0;
const passed = report.numPassedTests;
const failed = report.numFailedTests + failedSuites;
for (const suite of report.testResults) {
  // A suite whose tests are all skipped reports 'skipped'; it did not fail.
  if (suite.status !== 'passed' && suite.status !== 'skipped') console.log(`failed: ${path.relative(root, suite.name)}${suite.message ? `\n${suite.message.split('\n').slice(0, 15).join('\n')}` : ''}`);
}
const skipped = report.numPendingTests + (report.numTodoTests || 0);
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed === 0 && report.success !== false && passed > 0 ? 0 : 1);
