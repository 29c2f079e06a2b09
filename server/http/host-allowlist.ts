import os from 'node:os';
import type { BerthConfig } from '../config';

/**
 * Which names Berth answers to. A page on any website can make a browser
 * send requests to Berth under a name the attacker controls (DNS
 * rebinding); refusing unknown Host headers before anything else, and
 * checking Origins against this list rather than against the request's own
 * Host, closes that door.
 */
export class HostAllowlist {
  private readonly exact = new Set<string>();
  /** `*.school.example` entries, kept as `.school.example`. */
  private readonly suffixes: string[] = [];
  /** The host's addresses can change under us (DHCP): an unknown address is checked against them afresh. */
  private interfaces: (() => string[]) | null = null;

  constructor(names: Iterable<string>) {
    for (const raw of names) {
      const name = raw.trim().toLowerCase();
      if (!name) continue;
      if (name.startsWith('*.')) this.suffixes.push(name.slice(1));
      else this.exact.add(hostnameOf(name) ?? name);
    }
  }

  /** Loopback, the host's own addresses and name, BERTH_PUBLIC_URL's host and BERTH_ALLOWED_HOSTS. */
  static fromConfig(config: Pick<BerthConfig, 'classroom' | 'host'>, system: { hostname(): string; networkInterfaces: typeof os.networkInterfaces } = os): HostAllowlist {
    const addresses = () => Object.values(system.networkInterfaces()).flatMap((list) => (list ?? []).map((a) => a.address.replace(/%.*$/, '').toLowerCase()));
    const names = ['localhost', '::1', system.hostname(), ...addresses()];
    if (config.host && config.host !== '0.0.0.0' && config.host !== '::') names.push(config.host);
    if (config.classroom.publicUrl) names.push(new URL(config.classroom.publicUrl).hostname);
    names.push(...config.classroom.allowedHosts);
    const list = new HostAllowlist(names);
    list.interfaces = addresses;
    return list;
  }

  /** A Host header (`name`, `name:port`, `[v6]:port`) names this Berth. A missing Host is refused. */
  allows(hostHeader: string | undefined): boolean {
    const host = hostHeader ? hostnameOf(hostHeader) : null;
    if (!host) return false;
    if (this.exact.has(host) || /^127(\.\d{1,3}){3}$/.test(host)) return true;
    if (this.suffixes.some((s) => host.endsWith(s) && host.length > s.length)) return true;
    const isAddress = /^[\d.]+$/.test(host) || host.includes(':');
    if (isAddress && this.interfaces?.().includes(host)) {
      this.exact.add(host);
      return true;
    }
    return false;
  }

  /** An Origin header (`scheme://host:port`) whose host is on the list. */
  allowsOrigin(origin: string): boolean {
    try {
      const url = new URL(origin);
      return (url.protocol === 'http:' || url.protocol === 'https:') && this.allows(url.host);
    } catch {
      return false;
    }
  }
}

/** `Name:8080` → `name`; `[::1]:8080` → `::1`; null if it cannot be a host name or address. */
export function hostnameOf(hostHeader: string): string | null {
  let host = hostHeader.trim().toLowerCase();
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    if (end < 0) return null;
    host = host.slice(1, end);
    return /^[0-9a-f:.]+$/.test(host) ? host : null;
  }
  if (host.split(':').length > 2) return /^[0-9a-f:.]+$/.test(host) ? host : null; // bare IPv6 (config entries)
  host = host.replace(/:\d{1,5}$/, '').replace(/\.$/, '');
  if (!host || host.length > 253) return null;
  return host.split('.').every((label) => /^[a-z0-9_][a-z0-9_-]{0,62}$/.test(label)) ? host : null;
}
