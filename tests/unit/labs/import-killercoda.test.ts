import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importKillercoda, type ImportReport } from '../../../server/labs/import-killercoda';
import { parseLabFile } from '../../../server/labs/parse';
import { validateLabs } from '../../../server/labs/validate';

const fixtures = path.join(__dirname, '../../fixtures/killercoda');
let tmp: string;

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-import-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

function messages(report: ImportReport, severity?: string): string[] {
  return report.notes.filter((n) => !severity || n.severity === severity).map((n) => `${n.source}: ${n.message}`);
}

describe('importing a KillerCoda scenario', () => {
  let report: ImportReport;
  let md: string;
  beforeEach(() => {
    report = importKillercoda(path.join(fixtures, 'docker-volumes'), path.join(tmp, 'docker-volumes'));
    md = fs.readFileSync(report.labFile, 'utf8');
  });

  test('produces a lab that loads and validates without errors', async () => {
    expect(report.id).toBe('docker-volumes');
    expect(report.issues).toEqual([]);
    const { issues } = await validateLabs([report.outDir]);
    expect(issues.filter((i) => i.severity === 'error')).toEqual([]);
  });

  test('maps title, description, steps, intro and finish', () => {
    const lab = parseLabFile(report.labFile).lab;
    expect(lab).not.toBeNull();
    expect(lab?.title).toBe('Docker Volumes');
    expect(lab?.summary).toBe('Keep data when containers go away.');
    expect(lab?.steps.map((s) => s.title)).toEqual(['Create a volume', 'Write data into the volume', 'Bind mounts']);
    expect(lab?.introHtml).toContain('Containers are disposable');
    expect(lab?.finish?.html).toContain('<code>docker rm -f web &amp;&amp; docker volume rm data</code>');
  });

  test('{{exec}} and {{copy}} in all their forms become run and copy blocks', () => {
    const lab = parseLabFile(report.labFile).lab;
    expect(lab?.steps[0].blocks).toEqual([
      { kind: 'run', id: 'create-a-volume.run-1', machine: 'host01', command: 'docker volume create data', mode: 'run' },
      { kind: 'run', id: 'create-a-volume.run-2', machine: 'host01', command: 'docker volume ls', mode: 'run' },
      { kind: 'run', id: 'create-a-volume.run-3', machine: 'host01', command: "docker volume inspect data --format '{{ .Mountpoint }}'", mode: 'run' },
      { kind: 'copy', id: 'create-a-volume.copy-1', text: 'data' },
    ]);
    // The inline command stays readable in the sentence; its Run button follows the paragraph.
    expect(md).toContain('List volumes with `docker volume ls` and look for `data`.\n\n```run\ndocker volume ls\n```\n\nWhere does Docker keep it on disk?');
    const step2 = lab?.steps[1];
    expect(step2?.blocks.map((b) => b.kind)).toEqual(['run', 'run', 'copy']);
    // {{}} keeps the block as ordinary code.
    expect(step2?.html).toContain('<pre><code class="language-yaml">services:');
  });

  test('verify becomes check, background a hidden setup, foreground a visible one', () => {
    const lab = parseLabFile(report.labFile).lab;
    expect(lab?.steps[0].checks[0]).toMatchObject({ machine: 'host01', script: 'docker volume ls -q | grep -qx data', timeoutSeconds: 20 });
    expect(lab?.steps[1].setup).toEqual([expect.objectContaining({ visible: false, script: 'docker rm -f $(docker ps -aq) 2>/dev/null || true' })]);
    expect(lab?.steps[2].setup).toEqual([expect.objectContaining({ visible: true, script: 'cd /root/app && ls -l' })]);
    // The intro's foreground is typed when the first step's terminal opens: a lab-level setup runs hidden.
    expect(lab?.setup.map((s) => s.visible)).toEqual([false]);
    expect(lab?.steps[0].setup).toEqual([expect.objectContaining({ visible: true, script: expect.stringContaining('Waiting for the environment') })]);
    expect(lab?.steps[0].solve[0].script).toContain('docker volume create data');
  });

  test('assets are copied to their targets, with chmod as the mode', () => {
    const lab = parseLabFile(report.labFile).lab;
    expect(lab?.machines).toEqual([
      expect.objectContaining({
        name: 'host01',
        image: 'dind',
        docker: true,
        files: [
          { from: path.join(report.outDir, 'files/host01/root-app'), to: '/root/app' },
          { from: path.join(report.outDir, 'files/host01/usr-local-bin-0755'), to: '/usr/local/bin', mode: '0755' },
        ],
      }),
    ]);
    expect(fs.readdirSync(path.join(report.outDir, 'files/host01/root-app')).sort()).toEqual(['index.html', 'style.css']);
    expect(fs.existsSync(path.join(report.outDir, 'files/host01/usr-local-bin-0755/wait-for-docker.sh'))).toBe(true);
  });

  test('port placeholders become Berth URLs', () => {
    expect(md).toContain('Open the [page]({{url:host01:8080}}) or, on Katacoda, {{url:host01:8080}}index.html');
  });

  test('reports what could not be mapped, and why', () => {
    expect(messages(report, 'warning')).toEqual(
      expect.arrayContaining([
        'step2/text.md: {{exec interrupt}} sent Ctrl-C before the command; Berth sends only the command, so students may need to stop the previous one first',
        'step3/verify.sh: the script finds files through $0 or BASH_SOURCE; Berth runs scripts inline from /root, so refer to assets at their target paths instead',
        'step3/text.md: image ./assets/bind-mount.png is a local file; Berth does not serve lab images, so link it from a public URL or remove it',
        'finish.md: a {{exec}} in the finish text became plain code: Berth\'s Finish section is text only',
        'index.json: layout "ide" shows an editor; Berth has a terminal only, so students edit with nano or vim',
      ]),
    );
    expect(messages(report, 'error')).toEqual([]);
  });

  test('refuses to overwrite a lab folder unless forced', () => {
    expect(() => importKillercoda(path.join(fixtures, 'docker-volumes'), report.outDir)).toThrow(/exists and is not empty/);
    expect(() => importKillercoda(path.join(fixtures, 'docker-volumes'), report.outDir, { force: true })).not.toThrow();
  });
});

describe('importing a legacy Katacoda scenario on Kubernetes', () => {
  test('tolerates legacy keys and reports the cluster it cannot provide', () => {
    const report = importKillercoda(path.join(fixtures, 'katacoda-legacy'), path.join(tmp, 'two-nodes'), { id: 'two-nodes' });
    expect(report.issues.filter((i) => i.severity === 'error')).toEqual([]);
    const lab = parseLabFile(report.labFile).lab;
    expect(lab?.id).toBe('two-nodes');
    expect(lab?.difficulty).toBe('intermediate');
    expect(lab?.minutes).toBe(15);
    expect(lab?.machines.map((m) => m.name)).toEqual(['host01', 'host02']);
    expect(lab?.machines[1].files).toEqual([{ from: path.join(report.outDir, 'files/host02/root-0600'), to: '/root', mode: '0600' }]);
    expect(lab?.tabs).toEqual([{ title: 'Dashboard', machine: 'host01', port: 30000, path: '/' }]);
    expect(lab?.steps[0].blocks[1]).toMatchObject({ kind: 'run', machine: 'host02', command: 'hostname' });
    expect(lab?.steps[0].solutionHtml).toContain('<code>kubectl get nodes</code>');
    expect(lab?.steps[0].setup.map((s) => [s.script, s.visible])).toEqual([['sleep 1', false], ['clear', true]]);
    expect(lab?.steps[0].checks[0].script).toContain("grep -qx done");
    expect(lab?.introHtml).toContain('{{machine:host02}}');
    expect(messages(report, 'error')).toEqual([
      'index.json: backend.imageid "kubernetes-cluster-running:1.18" is a Kubernetes cluster; Berth machines run Docker, not Kubernetes. The hosts became 2 Docker-in-Docker machines; rework the lab (kind or k3d inside a machine can provide a cluster)',
    ]);
    expect(messages(report)).toEqual(
      expect.arrayContaining([
        'step1-verify.sh: legacy verify printed "done"; it is wrapped so the check passes when the output ends with done',
        'index.json: pathwayTitle "Kubernetes": Berth orders labs in labs/course.yaml; add the lab to a section there',
      ]),
    );
  });

  test('the wrapped legacy verify passes on "done" and fails otherwise', () => {
    const report = importKillercoda(path.join(fixtures, 'katacoda-legacy'), path.join(tmp, 'katacoda-legacy'));
    const check = parseLabFile(report.labFile).lab?.steps[0].checks[0].script;
    if (!check) throw new Error('the imported lab has no check');
    const withKubectl = (nodes: string) => spawnSync('bash', ['-c', `kubectl() { echo "${nodes}"; }; export -f kubectl\n${check}`], { encoding: 'utf8' });
    expect(withKubectl('node01 Ready').status).toBe(0);
    const failing = withKubectl('master Ready');
    expect(failing.status).toBe(1);
    expect(failing.stdout.trim()).toBe('FAIL: not done yet');
  });
});
