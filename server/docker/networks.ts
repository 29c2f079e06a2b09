import type Docker from 'dockerode';
import { EngineFull } from '../backend/lab-backend';
import { errorText, isNotFound } from './engine';

/** A private bridge per session: machines of one session see each other by name and no one else. */
export async function createSessionNetwork(docker: Docker, name: string, labels: Record<string, string>): Promise<string> {
  try {
    return await createBridge(docker, name, labels);
  } catch (err) {
    if (/non-overlapping IPv4 address pool|no available (network|address)/i.test(errorText(err))) throw new EngineFull('network addresses');
    throw err;
  }
}

async function createBridge(docker: Docker, name: string, labels: Record<string, string>): Promise<string> {
  const net = await docker.createNetwork({
    Name: name,
    Driver: 'bridge',
    CheckDuplicate: true,
    Internal: false,
    Labels: labels,
    Options: { 'com.docker.network.bridge.enable_icc': 'true' },
  });
  return net.id;
}

export async function removeNetwork(docker: Docker, name: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await docker.getNetwork(name).remove();
      return;
    } catch (err) {
      if (isNotFound(err)) return;
      if (attempt >= 20 || !/active endpoints/.test(errorText(err))) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

export async function connectToNetwork(docker: Docker, network: string, containerId: string, aliases: string[]): Promise<void> {
  await docker.getNetwork(network).connect({ Container: containerId, EndpointConfig: { Aliases: aliases } });
}

export async function disconnectFromNetwork(docker: Docker, network: string, containerId: string): Promise<void> {
  try {
    await docker.getNetwork(network).disconnect({ Container: containerId, Force: true });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}
