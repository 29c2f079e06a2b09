import { basename, draftFiles, draftKey, leaveQuestion, dropDraft, joinPath, languageFor, loadDraft, nameProblem, parentOf, resolveDraft, saveDraft, type DraftStore } from '../../../client/src/logic/editor-files';

test('languages by name, then by extension', () => {
  expect(languageFor('/root/app/Dockerfile')).toBe('dockerfile');
  expect(languageFor('/root/Dockerfile.dev')).toBe('dockerfile');
  expect(languageFor('/root/web.dockerfile')).toBe('dockerfile');
  expect(languageFor('/root/compose.yaml')).toBe('yaml');
  expect(languageFor('/root/docker-compose.yml')).toBe('yaml');
  expect(languageFor('/root/run.sh')).toBe('shell');
  expect(languageFor('/root/.bashrc')).toBe('shell');
  expect(languageFor('/root/app.py')).toBe('python');
  expect(languageFor('/root/server.js')).toBe('javascript');
  expect(languageFor('/root/package.json')).toBe('json');
  expect(languageFor('/root/web/default.conf')).toBe('nginx');
  expect(languageFor('/etc/nginx/conf.d/site.conf')).toBe('nginx');
  expect(languageFor('/etc/app/settings.ini')).toBe('ini');
  expect(languageFor('/root/README.md')).toBe('markdown');
  expect(languageFor('/root/notes')).toBe('plain');
});

test('paths: base name, parent, join', () => {
  expect(basename('/root/app/Dockerfile')).toBe('Dockerfile');
  expect(basename('/')).toBe('/');
  expect(parentOf('/root/app')).toBe('/root');
  expect(parentOf('/root')).toBe('/');
  expect(parentOf('/')).toBe('/');
  expect(joinPath('/', 'etc')).toBe('/etc');
  expect(joinPath('/root', 'a.txt')).toBe('/root/a.txt');
});

test('names for new files and folders', () => {
  expect(nameProblem('Dockerfile')).toBeNull();
  expect(nameProblem('my file.txt')).toBeNull();
  expect(nameProblem('')).toMatch(/Type a name/);
  expect(nameProblem('..')).toMatch(/taken/);
  expect(nameProblem('a/b')).toMatch(/"\/"/);
  expect(nameProblem('a\nb')).toMatch(/line breaks/);
  expect(nameProblem('x'.repeat(256))).toMatch(/too long/);
});

function memoryStore(): DraftStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v), removeItem: (k) => void data.delete(k) };
}

test('drafts survive a reload and are dropped after saving; broken storage is harmless', () => {
  const store = memoryStore();
  const key = draftKey('s1', 'node1', '/root/Dockerfile');
  expect(loadDraft(store, key)).toBeNull();
  saveDraft(store, key, { content: 'FROM alpine\n', baseHash: 'h1', savedAt: 5 });
  expect(loadDraft(store, key)).toEqual({ content: 'FROM alpine\n', baseHash: 'h1', savedAt: 5 });
  dropDraft(store, key);
  expect(loadDraft(store, key)).toBeNull();
  store.data.set(key, '{not json');
  expect(loadDraft(store, key)).toBeNull();
  const throwing: DraftStore = {
    getItem: () => {
      throw new Error('blocked');
    },
    setItem: () => {
      throw new Error('quota');
    },
    removeItem: () => {
      throw new Error('blocked');
    },
  };
  expect(() => saveDraft(throwing, key, { content: 'x', baseHash: null, savedAt: 0 })).not.toThrow();
  expect(loadDraft(throwing, key)).toBeNull();
  expect(() => dropDraft(throwing, key)).not.toThrow();
});

test('a draft is restored as unsaved; made on an older version it is flagged stale', () => {
  expect(resolveDraft(null, 'h1', 'machine')).toEqual({ content: 'machine', dirty: false, stale: false });
  expect(resolveDraft({ content: 'machine', baseHash: 'h0', savedAt: 0 }, 'h1', 'machine')).toEqual({ content: 'machine', dirty: false, stale: false });
  expect(resolveDraft({ content: 'mine', baseHash: 'h1', savedAt: 0 }, 'h1', 'machine')).toEqual({ content: 'mine', dirty: true, stale: false });
  expect(resolveDraft({ content: 'mine', baseHash: 'h0', savedAt: 0 }, 'h1', 'machine')).toEqual({ content: 'mine', dirty: true, stale: true });
});

test('the files with drafts are found from the store keys, per session and machine', () => {
  const keys = [draftKey('s1', 'docker', '/root/app/Dockerfile'), draftKey('s1', 'node.2', '/etc/x.conf'), draftKey('s2', 'docker', '/root/a'), 'berth.theme', draftKey('s1', 'docker', '/root/compose.yaml')];
  const store = { length: keys.length, key: (i: number) => keys[i] ?? null };
  expect(draftFiles(store, 's1')).toEqual([
    { machine: 'docker', path: '/root/app/Dockerfile' },
    { machine: 'docker', path: '/root/compose.yaml' },
    { machine: 'node.2', path: '/etc/x.conf' },
  ]);
  expect(draftFiles(store, 's1', 'node.2')).toEqual([{ machine: 'node.2', path: '/etc/x.conf' }]);
  expect(draftFiles({ get length(): number { throw new Error('blocked'); }, key: () => null }, 's1')).toEqual([]);
});

test('leaving with drafts asks a question that names the files and what happens to them', () => {
  expect(leaveQuestion([], 'page')).toBeNull();
  const files = ['/a/1', '/a/2', '/a/3', '/a/4', '/a/5'].map((path) => ({ machine: 'docker', path }));
  expect(leaveQuestion(files, 'page')).toBe('You have unsaved changes in the editor (1, 2, 3 and 2 more). Leave the lab page? They stay in this browser until you come back.');
  expect(leaveQuestion(files.slice(0, 1), 'stop')).toMatch(/^You have unsaved changes in the editor \(1\)\. Ending the lab removes the machines/);
  expect(leaveQuestion(files.slice(0, 1), 'reset')).toMatch(/Reset anyway\?$/);
});
