/**
 * A lab pack (or a KillerCoda scenario someone downloaded) is not trusted
 * with the host: its files stay inside its folder, symlinks included; its env
 * is names only; its machines get no more than the server allows.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importKillercoda } from '../../server/labs/import-killercoda';
import { parseLabFile } from '../../server/labs/parse';
import { docker, join, startBerth, startLab, type Berth } from '../contract/harness';

jest.setTimeout(120_000);

let tmp: string;
let outside: string;

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-labpack-'));
  outside = path.join(tmp, 'host-secrets');
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'id_rsa'), 'HOST-PRIVATE-KEY');
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

function labWith(frontMatter: string): string {
  const dir = path.join(tmp, 'pack');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'lab.md'), `---\nid: pack\ntitle: Pack\nsummary: A lab pack.\nmachines:\n${frontMatter}---\nIntro.\n\n## Step\n\n\`\`\`run\nls\n\`\`\`\n`);
  return dir;
}

test('files.from that is a symlink out of the lab folder is refused', () => {
  const dir = labWith('  - name: box\n    image: shell\n    files:\n      - { from: files/app, to: /root/app }\n');
  fs.mkdirSync(path.join(dir, 'files'));
  fs.symlinkSync(outside, path.join(dir, 'files', 'app'));
  const { lab, issues } = parseLabFile(path.join(dir, 'lab.md'));
  expect(lab).toBeNull();
  const issue = issues.find((i) => i.field === 'machines[0].files[0].from');
  expect(issue?.message).toMatch(/outside the lab folder through a symlink/);
});

test('files.from through a symlinked parent folder is refused too; a real folder inside is fine', () => {
  const dir = labWith('  - name: box\n    image: shell\n    files:\n      - { from: linked/app, to: /root/app }\n');
  fs.symlinkSync(tmp, path.join(dir, 'linked'));
  fs.mkdirSync(path.join(tmp, 'app'));
  expect(parseLabFile(path.join(dir, 'lab.md')).lab).toBeNull();

  fs.rmSync(path.join(dir, 'linked'));
  fs.mkdirSync(path.join(dir, 'linked', 'app'), { recursive: true });
  expect(parseLabFile(path.join(dir, 'lab.md')).lab).not.toBeNull();
});

test('env keys must be variable names', () => {
  const dir = labWith('  - name: box\n    image: shell\n    env:\n      "BAD-NAME; rm -rf /": x\n      GOOD_NAME: y\n');
  const { lab, issues } = parseLabFile(path.join(dir, 'lab.md'));
  expect(lab).toBeNull();
  expect(issues.filter((i) => i.severity === 'error').map((i) => i.field)).toEqual(['machines[0].env.BAD-NAME; rm -rf /']);
  const ok = labWith('  - name: box\n    image: shell\n    env:\n      GOOD_NAME: y\n');
  expect(parseLabFile(path.join(ok, 'lab.md')).lab?.machines[0].env).toEqual({ GOOD_NAME: 'y' });
});

test('the KillerCoda importer reads nothing outside the scenario folder', () => {
  const scenario = path.join(tmp, 'scenario');
  fs.mkdirSync(path.join(scenario, 'step1'), { recursive: true });
  fs.mkdirSync(path.join(scenario, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(tmp, 'secret.md'), 'HOST-SECRET-TEXT');
  fs.writeFileSync(path.join(scenario, 'step1', 'text.md'), 'Do the thing.');
  fs.symlinkSync(path.join(tmp, 'secret.md'), path.join(scenario, 'step1', 'linked.md'));
  fs.symlinkSync(outside, path.join(scenario, 'assets', 'keys'));
  fs.mkdirSync(path.join(scenario, 'assets', 'dir'));
  fs.symlinkSync(path.join(outside, 'id_rsa'), path.join(scenario, 'assets', 'dir', 'key'));
  fs.writeFileSync(
    path.join(scenario, 'index.json'),
    JSON.stringify({
      title: 'Sneaky',
      description: 'Reads the host.',
      details: {
        intro: { text: '../secret.md' },
        steps: [
          { title: 'One', text: 'step1/text.md' },
          { title: 'Two', text: 'step1/linked.md' },
          { title: 'Three', text: '/etc/hostname' },
        ],
        assets: { host01: [{ file: 'keys', target: '/root/keys' }, { file: 'dir', target: '/root/dir' }] },
      },
      backend: { imageid: 'ubuntu' },
    }),
  );
  const out = path.join(tmp, 'out');
  const report = importKillercoda(scenario, out);
  const everything = (dir: string): string =>
    fs
      .readdirSync(dir, { withFileTypes: true })
      .map((e) => {
        const full = path.join(dir, e.name);
        if (e.isSymbolicLink()) return `link:${fs.readlinkSync(full)}`;
        return e.isDirectory() ? everything(full) : fs.readFileSync(full, 'utf8');
      })
      .join('\n');
  const written = everything(out);
  expect(written).not.toContain('HOST-SECRET-TEXT');
  expect(written).not.toContain('HOST-PRIVATE-KEY');
  expect(written).not.toContain(outside);
  expect(written).not.toContain(fs.readFileSync('/etc/hostname', 'utf8').trim() || 'never');
  const errors = report.notes.filter((n) => n.severity === 'error').map((n) => n.message).join('\n');
  expect(errors).toMatch(/outside the scenario folder/);
});

describe('machine limits', () => {
  let berth: Berth;
  afterAll(async () => {
    await berth?.dispose();
  });

  test("a lab's machine limits are cut to the server's maximums", async () => {
    const labs = path.join(tmp, 'labs');
    const dir = path.join(labs, 'greedy');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'lab.md'),
      '---\nid: greedy\ntitle: Greedy\nsummary: Asks for the whole host.\nmachines:\n  - name: box\n    image: shell\n    memory: 64g\n    cpus: 32\n    pids: 1000000\n---\nIntro.\n\n## Step\n\n```run\nls\n```\n',
    );
    berth = await startBerth('sec-limits', {
      BERTH_OPEN_JOIN: 'true',
      BERTH_LABS_DIR: labs,
      BERTH_MACHINE_MAX_MEMORY: '512m',
      BERTH_MACHINE_MEMORY: '256m',
      BERTH_MACHINE_MAX_CPUS: '1',
      BERTH_MACHINE_MAX_PIDS: '5000',
    });
    const ada = await join(berth.url, 'Ada');
    const sessionId = await startLab(berth, ada, 'greedy');
    const [box] = await docker.listContainers({ all: true, filters: { label: [`io.berth.instance=${berth.instance}`] } });
    expect(box.Names[0]).toContain(sessionId);
    const info = await docker.getContainer(box.Id).inspect();
    expect(info.HostConfig.Memory).toBe(512 * 1024 * 1024);
    expect(info.HostConfig.NanoCpus).toBe(1e9);
    expect(info.HostConfig.PidsLimit).toBe(5000);
  });
});
