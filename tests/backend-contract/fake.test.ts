import { FakeBackend } from '../../server/backend/fake-backend';
import { conformance } from './conformance';

// The fake stands in for the engine in the unit tests: it must keep the same promises.
conformance('fake (in memory)', async () => {
  const backend = new FakeBackend();
  return { backend, cleanup: () => backend.shutdown(), loseMachine: async (state, machine) => backend.kill(state, machine) };
});
