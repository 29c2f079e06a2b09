import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { imagesInText, labImages, parseImageRef, selectLabFolders } from '../../../server/ops/lab-images';

test('image references are normalised to Docker Hub repositories; other registries and variables are left out', () => {
  expect(parseImageRef('nginx')).toEqual({ name: 'nginx', repository: 'library/nginx', reference: 'latest' });
  expect(parseImageRef('python:3-slim')).toMatchObject({ repository: 'library/python', reference: '3-slim' });
  expect(parseImageRef('bitnami/redis:7.2')).toMatchObject({ repository: 'bitnami/redis', reference: '7.2' });
  expect(parseImageRef('docker.io/library/alpine:3')).toMatchObject({ repository: 'library/alpine', reference: '3' });
  expect(parseImageRef(`alpine@sha256:${'a'.repeat(64)}`)).toMatchObject({ reference: `sha256:${'a'.repeat(64)}` });
  expect(parseImageRef('ghcr.io/org/tool:1')).toBeNull();
  expect(parseImageRef('localhost:5000/tools/alpine:1.0')).toBeNull();
  expect(parseImageRef('$IMAGE')).toBeNull();
  expect(parseImageRef('scratch')).toBeNull();
  expect(parseImageRef('Not An Image')).toBeNull();
});

test('docker commands, compose image lines and FROM lines name their images; flags and their values are skipped', () => {
  const text = [
    'docker run -d --name db -v redis-data:/data --pids-limit 50 redis redis-server --appendonly yes',
    'docker run --rm -it --network=appnet alpine sh && docker pull busybox:1.37',
    'docker service create --name web --replicas 3 -p 8080:80 nginx:alpine',
    '    image: postgres:16   # the database',
    'FROM --platform=linux/amd64 python:3.12-slim AS build',
    'echo "FAIL: remove it and docker pull it"; exit 1',
    'docker build -t shop:v1 . && docker run -d shop:v1',
    'docker commit scratchpad my-nginx:v1',
  ].join('\n');
  const { used, built } = imagesInText(text);
  expect(used).toEqual(['redis', 'alpine', 'busybox:1.37', 'nginx:alpine', 'postgres:16', 'python:3.12-slim', 'shop:v1']);
  expect(built).toEqual(['shop:v1', 'my-nginx:v1']);
});

test("a lab folder's images come from its fenced blocks, front matter and files, not its prose or Berth's machine images", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-lab-images-'));
  try {
    const lab = path.join(dir, 'web');
    fs.mkdirSync(path.join(lab, 'files'), { recursive: true });
    fs.writeFileSync(
      path.join(lab, 'lab.md'),
      [
        '---', 'id: web-basics', 'title: Web', 'machines:', '  - name: docker', '    image: dind', '  - name: extra', '    image: shell', '---',
        'Prose that says docker run prose-image is not a command.', '', '```run', 'docker run -d -p 8080:80 nginx', 'docker build -t site .', 'docker run -d site', '```',
      ].join('\n'),
    );
    fs.writeFileSync(path.join(lab, 'files', 'compose.yaml'), 'services:\n  cache:\n    image: redis:7\n  web:\n    image: nginx\n');
    fs.writeFileSync(path.join(lab, 'files', 'Dockerfile'), 'FROM python:3-slim\n');
    expect(labImages(lab).map((r) => r.name)).toEqual(['nginx', 'redis:7', 'python:3-slim']);
    expect(selectLabFolders(dir, ['web-basics'], false).map((l) => l.id)).toEqual(['web-basics']);
    expect(() => selectLabFolders(dir, ['nope'], false)).toThrow(/no lab "nope".*web-basics/);
    expect(() => selectLabFolders(dir, [], false)).toThrow(/--all/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
