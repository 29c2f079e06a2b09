import { createBackend } from '../../../server/backend/factory';
import { FakeBackend } from '../../../server/backend/fake-backend';
import { loadConfig } from '../../../server/config';
import { connectDocker } from '../../../server/docker/engine';

describe('backend factory', () => {
  test('docker is the default; an unknown backend is refused by name', () => {
    expect(loadConfig({}).backend).toBe('docker');
    expect(() => loadConfig({ BERTH_BACKEND: 'kubernetes' })).toThrow('BERTH_BACKEND="kubernetes" must be docker (or fake, in tests)');
  });

  test('the fake backend is refused outside tests: a class on it would look alive and run nothing', () => {
    expect(() => loadConfig({ BERTH_BACKEND: 'fake', NODE_ENV: 'production' })).toThrow('BERTH_BACKEND=fake is only allowed when NODE_ENV=test');
    expect(() => loadConfig({ BERTH_BACKEND: 'fake' })).toThrow(/only allowed when NODE_ENV=test/);
  });

  test('BERTH_BACKEND=fake under NODE_ENV=test gives the in-memory backend, no engine needed', async () => {
    const { backend, profile } = await createBackend(loadConfig({ BERTH_BACKEND: 'fake', NODE_ENV: 'test', BERTH_ISOLATION: 'caps' }));
    expect(backend).toBeInstanceOf(FakeBackend);
    expect(profile).toBe('caps');
    await expect(backend.ping()).resolves.toBeUndefined();
  });

  test('BERTH_BACKEND=docker with no engine fails saying what to do', async () => {
    const nowhere = connectDocker({ DOCKER_HOST: 'tcp://127.0.0.1:1' });
    await expect(createBackend(loadConfig({ BERTH_BACKEND: 'docker' }), { docker: nowhere })).rejects.toThrow(/cannot reach the Docker engine .*Start dockerd/);
  });
});
