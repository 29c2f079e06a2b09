#!/usr/bin/env bash
# DEV AID (not product code): prove a lab by hand, without building Berth.
# Prefer `node dist/server/cli.js lab test <lab>` (berth lab test) where it is built.
# Starts the lab's machines like Berth does (caps profile), copies `files:`, runs the lab
# setup, then for every step: setup, check (expect FAIL), solve, check (expect pass).
# Everything it creates is named labdev-<lab>-*, and is removed at the end (unless --keep).
#
#   tests/tools/try-lab.sh labs/first-container [--keep] [--no-precheck]
#   tests/tools/try-lab.sh --clean labs/first-container
# Needs: docker, python3 with PyYAML, the mirror seeded (tests/mirror/seed.sh).
exec python3 - "$@" <<'PY'
import os, re, subprocess, sys, time, yaml

args = sys.argv[1:]
keep = '--keep' in args; clean_only = '--clean' in args; noprecheck = '--no-precheck' in args
paths = [a for a in args if not a.startswith('--')]
if len(paths) != 1: sys.exit('usage: try-lab.sh LABDIR [--keep] [--no-precheck] [--clean]')
labdir = paths[0].rstrip('/')
src = open(os.path.join(labdir, 'lab.md')).read()
m = re.match(r'^---\n(.*?)\n---\n(.*)$', src, re.S)
fm = yaml.safe_load(m.group(1)); body = m.group(2)
lab = fm['id']
machines = fm.get('machines') or [{'name': 'docker'}]
first = machines[0]['name']

# --- body: steps and their script blocks (fences) ---
steps = []; cur = {'title': '(intro)', 'blocks': []}; intro = cur
fence = None; buf = []
for line in body.split('\n'):
    if fence is None:
        f = re.match(r'^(```+|~~~+)\s*(.*)$', line)
        if f:
            fence = f.group(1); info = f.group(2).split(); buf = []; continue
        if line.startswith('## '):
            cur = {'title': line[3:].strip(), 'blocks': []}; steps.append(cur)
        continue
    if line.startswith(fence) and line.strip() == fence:
        if info and info[0] in ('check', 'solve', 'setup'):
            attrs = dict(a.split('=', 1) for a in info[1:] if '=' in a)
            cur['blocks'].append({'kind': info[0], 'machine': attrs.get('machine', first),
                                  'timeout': int(attrs.get('timeout', 120 if info[0] == 'solve' else 20)),
                                  'script': '\n'.join(buf) + '\n'})
        fence = None; continue
    buf.append(line)

cname = lambda n: f'labdev-{lab}-{n}'
net = f'labdev-{lab}'
def sh(cmd, **kw): return subprocess.run(cmd, shell=isinstance(cmd, str), capture_output=True, text=True, **kw)

def cleanup():
    for mm in machines:
        sh(['docker', 'rm', '-f', '-v', cname(mm['name'])])
        sh(['docker', 'volume', 'rm', '-f', cname(mm['name'])])
    sh(['docker', 'network', 'rm', net])

cleanup()
if clean_only: sys.exit(0)
t0 = time.time()
sh(['docker', 'network', 'create', net])
for mm in machines:
    n = mm['name']; img = mm.get('image', 'dind')
    image = {'dind': 'berth-dind:latest', 'shell': 'berth-shell:latest'}.get(img, img)
    docker = mm.get('docker', img == 'dind')
    cmd = ['docker', 'run', '-d', '--name', cname(n), '--hostname', n, '--network', net, '--network-alias', n,
           '--cap-add', 'ALL', '--cap-drop', 'SYS_RESOURCE', '--security-opt', 'seccomp=unconfined',
           '--security-opt', 'apparmor=unconfined', '--security-opt', 'systempaths=unconfined', '--cgroupns', 'host',
           '-v', '/sys/fs/cgroup:/sys/fs/cgroup:rw', '-v', f'{cname(n)}:/var/lib/docker', '--init',
           '--add-host', 'host.docker.internal:host-gateway',
           '-e', 'BERTH_REGISTRY_MIRROR=http://host.docker.internal:5000', '-e', f'BERTH_HOSTNAME={n}',
           '-e', f'BERTH_DOCKER={1 if docker else 0}']
    if 'memory' in mm: cmd += ['--memory', str(mm['memory'])]
    if 'cpus' in mm: cmd += ['--cpus', str(mm['cpus'])]
    if 'pids' in mm: cmd += ['--pids-limit', str(mm['pids'])]
    for k, v in (mm.get('env') or {}).items(): cmd += ['-e', f'{k}={v}']
    r = sh(cmd + [image])
    if r.returncode: print(r.stderr); cleanup(); sys.exit(1)
for mm in machines:
    for _ in range(300):
        logs = sh(['docker', 'logs', cname(mm['name'])]).stdout
        if 'BERTH-READY' in logs: break
        if 'BERTH-FAILED' in logs: print(logs); cleanup(); sys.exit(1)
        time.sleep(0.2)
    for f in mm.get('files') or []:
        sh(['docker', 'exec', cname(mm['name']), 'mkdir', '-p', f['to']])
        r = sh(['docker', 'cp', os.path.join(labdir, f['from']) + '/.', f"{cname(mm['name'])}:{f['to']}"])
        if r.returncode: print('files:', r.stderr)
        if f.get('mode'):
            sh(['docker', 'exec', cname(mm['name']), 'find', f['to'], '-type', 'f', '-exec', 'chmod', str(f['mode']), '{}', '+'])
print(f'machines up in {time.time()-t0:.1f}s: {", ".join(cname(mm["name"]) for mm in machines)}')

def run(b):
    t = time.time()
    try:
        r = sh(['docker', 'exec', '-w', '/root', cname(b['machine']), 'bash', '-c', b['script']], timeout=b['timeout'])
        out = (r.stdout + r.stderr).strip(); rc = r.returncode
    except subprocess.TimeoutExpired:
        out, rc = f'TIMEOUT after {b["timeout"]}s', 124
    last = [l for l in out.split('\n') if l.strip()]
    fails = [l for l in last if l.startswith('FAIL:')]
    msg = (fails[-1] if fails else (last[-1] if last else ''))[:160]
    return rc, msg, time.time() - t, out

ok = True
for b in intro['blocks']:
    rc, msg, dt, out = run(b)
    print(f'  lab {b["kind"]} [{b["machine"]}] rc={rc} {dt:.1f}s {msg}')
    if rc: ok = False
for i, st in enumerate(steps, 1):
    kinds = [b['kind'] for b in st['blocks']]
    print(f'step {i}: {st["title"]}  ({", ".join(kinds) or "no scripts"})')
    for b in [b for b in st['blocks'] if b['kind'] == 'setup']:
        rc, msg, dt, out = run(b); print(f'  setup [{b["machine"]}] rc={rc} {dt:.1f}s {msg}')
        if rc: ok = False
    checks = [b for b in st['blocks'] if b['kind'] == 'check']
    solves = [b for b in st['blocks'] if b['kind'] == 'solve']
    if checks and not solves: print('  !! check without solve'); ok = False
    if checks and not noprecheck:
        res = [run(b) for b in checks]
        if all(r[0] == 0 for r in res): print('  !! check PASSES BEFORE solve'); ok = False
        for r in res: print(f'  pre-check rc={r[0]} {r[2]:.1f}s  -> {r[1]}')
    for b in solves:
        rc, msg, dt, out = run(b); print(f'  solve [{b["machine"]}] rc={rc} {dt:.1f}s')
        if rc: print('    ' + out[-600:].replace('\n', '\n    ')); ok = False
    for b in checks:
        rc, msg, dt, out = run(b)
        print(f'  post-check rc={rc} {dt:.1f}s {"" if rc == 0 else "!! " + msg}')
        if rc: ok = False; print('    ' + out[-600:].replace('\n', '\n    '))
print(f'{lab}: {"ALL OK" if ok else "PROBLEMS"} in {time.time()-t0:.0f}s')
if not keep: cleanup()
else: print('kept: ' + ' '.join(cname(mm['name']) for mm in machines))
sys.exit(0 if ok else 1)
PY
