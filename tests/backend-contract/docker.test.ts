import crypto from 'node:crypto';
import { createBackend } from '../../server/backend/factory';
import type { BackendState } from '../../server/backend/lab-backend';
import { loadConfig } from '../../server/config';
import { connectDocker } from '../../server/docker/engine';
import { conformance } from './conformance';

// The real engine, through the same factory the server uses, under an instance id of its own.
conformance('docker (local engine)', async () => {
  const config = loadConfig({ ...process.env, BERTH_BACKEND: 'docker', BERTH_INSTANCE: `bc-${crypto.randomBytes(4).toString('hex')}`, BERTH_WARM_POOL: '0' });
  const { backend } = await createBackend(config);
  const docker = connectDocker();
  return {
    backend,
    async cleanup() {
      await backend.removeOrphans(new Set());
      await backend.shutdown();
    },
    async loseMachine(state: BackendState, machine: string) {
      // Only this suite's own container (its instance id is unique): killed as the OOM killer would.
      const record = (state as unknown as { machines: Array<{ name: string; containerId: string }> }).machines.find((m) => m.name === machine);
      if (!record) throw new Error(`no machine ${machine} in the state`);
      await docker.getContainer(record.containerId).kill();
    },
  };
});
