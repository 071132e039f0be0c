import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import type { OutboundUrlPolicy } from '../../ports/urlPolicy';

export type Resolver = (host: string) => Promise<{ address: string; family: number }[]>;

export const systemResolver: Resolver = (host) => dnsLookup(host, { all: true, verbatim: true });

/** Cloud instance-metadata and platform endpoints that sit in otherwise public ranges. */
const METADATA_ADDRESSES = new Set(['168.63.129.16', '100.100.100.200']);

/**
 * Why the service must not connect to `ip`, or null when it may: only public unicast addresses pass
 * (ipaddr.js classifies private, link-local (169.254.169.254 metadata), CGNAT, unique-local,
 * multicast, reserved ...; IPv4-mapped IPv6 is unwrapped first). Loopback passes only when allowed.
 */
export function addressRefusal(ip: string, allowLoopback: boolean): string | null {
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    addr = ipaddr.process(ip);
  } catch {
    return `is not a valid address (${ip})`;
  }
  const text = addr.toString();
  if (METADATA_ADDRESSES.has(text)) return `points to a cloud metadata address (${text})`;
  const range = addr.range();
  if (range === 'unicast') return null;
  if (range === 'loopback')
    return allowLoopback ? null : `points to a loopback address (${text}), allowed only in the embedded/dev mode (WEBHOOK_ALLOW_LOOPBACK)`;
  return `points to a ${range} address (${text}), which webhooks may not call`;
}

export interface UrlPolicyOptions {
  allowLoopback: boolean;
  resolve?: Resolver;
}

/**
 * Callback URL rules: https, or http to loopback when loopback is allowed (embedded/dev mode); no
 * credentials; the host must resolve, and to public addresses only (checked again on connect by
 * the guarded HTTP client).
 */
export function createUrlPolicy(options: UrlPolicyOptions): OutboundUrlPolicy {
  const resolve = options.resolve ?? systemResolver;
  /** Rules that need no DNS: the parsed URL and its host, or the reason it is refused. */
  const parse = (raw: string): { url: URL; host: string } | string => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return 'is not an absolute URL';
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return `must use https (got ${url.protocol.replace(':', '')})`;
    if (url.username || url.password) return 'must not carry user:password credentials';
    return { url, host: url.hostname.replace(/^\[(.*)\]$/, '$1') };
  };
  const addressesRefusal = (url: URL, addresses: string[]): string | null => {
    for (const a of addresses) {
      const refusal = addressRefusal(a, options.allowLoopback);
      if (refusal) return refusal;
    }
    if (url.protocol === 'http:') {
      const allLoopback = addresses.every((a) => ipaddr.process(a).range() === 'loopback');
      if (!(options.allowLoopback && allLoopback))
        return 'must use https (plain http is allowed only to loopback in the embedded/dev mode)';
    }
    return null;
  };
  return {
    async check(raw) {
      const parsed = parse(raw);
      if (typeof parsed === 'string') return parsed;
      const { url, host } = parsed;
      let addresses: string[];
      if (isIP(host)) addresses = [host];
      else {
        try {
          addresses = (await resolve(host)).map((a) => a.address);
        } catch {
          return `host ${host} does not resolve`;
        }
        if (addresses.length === 0) return `host ${host} does not resolve`;
      }
      return addressesRefusal(url, addresses);
    },
    checkWithoutLookup(raw) {
      const parsed = parse(raw);
      if (typeof parsed === 'string') return parsed;
      const { url, host } = parsed;
      if (isIP(host)) return addressesRefusal(url, [host]);
      const loopbackName = host === 'localhost' || host.endsWith('.localhost');
      if (url.protocol === 'http:' && !(options.allowLoopback && loopbackName))
        return 'must use https (plain http is allowed only to loopback in the embedded/dev mode)';
      return null;
    },
  };
}
