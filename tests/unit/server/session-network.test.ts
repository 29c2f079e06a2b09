import type Docker from 'dockerode';
import { EngineFull } from '../../../server/backend/lab-backend';
import { createSessionNetwork } from '../../../server/docker/networks';
import { INTERNAL_ERROR, publicMessage } from '../../../server/public-error';

/** dockerode's error for a request the engine refused, as it arrives from the engine. */
function engineError(message: string): Error {
  return Object.assign(new Error(`(HTTP code 400) unexpected - ${message}`), { statusCode: 400, json: { message } });
}

function dockerThatThrows(err: Error): Docker {
  return { createNetwork: async () => Promise.reject(err) } as unknown as Docker;
}

test("Docker's used-up address pools become a sentence the student can pass on", async () => {
  const full = engineError('could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network');
  const err = await createSessionNetwork(dockerThatThrows(full), 'berth-x', {}).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(EngineFull);
  expect(publicMessage(err)).toMatch(/no network addresses left for another lab.*Room for a class/);
});

test('any other engine error stays internal', async () => {
  const other = engineError('network with name berth-x already exists');
  const err = await createSessionNetwork(dockerThatThrows(other), 'berth-x', {}).catch((e: unknown) => e);
  expect(err).toBe(other);
  expect(publicMessage(err)).toBe(INTERNAL_ERROR);
});
