import type Docker from 'dockerode';

/**
 * Holds the engine's event stream open. The engine ends it when it stops, so
 * a restart is seen the moment it begins, however short it is; a probe on a
 * timer misses a restart that fits between two probes, and the lab machines
 * that restart stopped would stay "running" in Berth. `onLost` is called once;
 * the returned function stops watching without calling it.
 */
export async function watchEngineEvents(docker: Docker, onLost: () => void): Promise<() => void> {
  // Daemon events are rare (a configuration reload): the stream stays quiet and costs nothing.
  const stream = (await docker.getEvents({ filters: { type: ['daemon'] } })) as NodeJS.ReadableStream & { destroy(): void };
  let done = false;
  const lost = () => {
    if (done) return;
    done = true;
    onLost();
  };
  stream.on('data', () => undefined); // flowing, or the stream never reports its end
  stream.on('end', lost);
  stream.on('close', lost);
  stream.on('error', lost);
  return () => {
    done = true;
    stream.destroy();
  };
}
