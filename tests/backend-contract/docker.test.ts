import crypto from 'node:crypto';
import { createBackend } from '../../server/backend/factory';
import { loadConfig } from '../../server/config';
import { conformance } from './conformance';

// The real engine, through the same factory the server uses, under an instance id of its own.
conformance('docker (local engine)', async () => {
  const config = loadConfig({ ...process.env, BERTH_BACKEND: 'docker', BERTH_INSTANCE: `bc-${crypto.randomBytes(4).toString('hex')}`, BERTH_WARM_POOL: '0' });
  const { backend } = await createBackend(config);
  return {
    backend,
    async cleanup() {
      await backend.removeOrphans(new Set());
      await backend.shutdown();
    },
  };
});
