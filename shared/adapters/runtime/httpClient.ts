import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { HttpClient, OutboundRequest, OutboundResponse } from '../../ports/httpClient';

const MAX_BODY = 64 * 1024;

export interface NodeHttpClientOptions {
  /**
   * SSRF guard: why a resolved address must not be connected to, or null when it may. Applied to
   * IP-literal hosts before the request and to every DNS answer at connect time (so a name that
   * re-resolves to a private address after the subscribe-time check is refused too).
   */
  refuseAddress?: (ip: string) => string | null;
  maxSockets?: number;
}

/** The request was refused by the address guard (never sent). */
export class RefusedAddressError extends Error {
  readonly code = 'ERR_REFUSED_ADDRESS';
}

function guardedLookup(refuse: (ip: string) => string | null): LookupFunction {
  return ((
    hostname: string,
    options: LookupOptions,
    callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, options.all ? [] : '', undefined);
      for (const a of addresses) {
        const reason = refuse(a.address);
        if (reason) return callback(new RefusedAddressError(`${hostname} ${reason}`), options.all ? [] : '', undefined);
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} did not resolve`), { code: 'ENOTFOUND' }), '', undefined);
      callback(null, first.address, first.family);
    });
  }) as LookupFunction;
}

/**
 * Outbound HTTP on node:http with keep-alive agents. Redirects are never followed (a 3xx comes back
 * as it is), bodies are cut at 64 KiB, and the timeout covers the whole exchange.
 */
export function createNodeHttpClient(options: NodeHttpClientOptions = {}): HttpClient & { close(): void } {
  const lookup = options.refuseAddress ? guardedLookup(options.refuseAddress) : undefined;
  const maxSockets = options.maxSockets ?? 64;
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets, ...(lookup ? { lookup } : {}) }),
    'https:': new https.Agent({ keepAlive: true, maxSockets, ...(lookup ? { lookup } : {}) }),
  };
  return {
    request(req: OutboundRequest): Promise<OutboundResponse> {
      const url = new URL(req.url);
      const lib = url.protocol === 'https:' ? https : http;
      const agent = agents[url.protocol as keyof typeof agents];
      if (!agent) return Promise.reject(new RefusedAddressError(`${url.protocol} URLs are not supported`));
      const literal = url.hostname.replace(/^\[(.*)\]$/, '$1');
      if (options.refuseAddress && isIP(literal)) {
        const reason = options.refuseAddress(literal);
        if (reason) return Promise.reject(new RefusedAddressError(`${literal} ${reason}`));
      }
      const started = performance.now();
      return new Promise((resolve, reject) => {
        const r = lib.request(
          url,
          {
            method: req.method ?? 'POST',
            headers: { ...req.headers, ...(req.body ? { 'content-length': Buffer.byteLength(req.body) } : {}) },
            agent,
            ...(lookup ? { lookup } : {}),
          },
          (res) => {
            const chunks: Buffer[] = [];
            let size = 0;
            res.on('data', (c: Buffer) => {
              if (size < MAX_BODY) chunks.push(c);
              size += c.length;
            });
            res.on('end', () => {
              clearTimeout(timer);
              const headers: Record<string, string> = {};
              for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
              resolve({
                status: res.statusCode ?? 0,
                headers,
                body: Buffer.concat(chunks).subarray(0, MAX_BODY).toString('utf8'),
                latencyMs: performance.now() - started,
              });
            });
            res.on('error', reject);
          },
        );
        const timer = setTimeout(() => r.destroy(new Error(`timed out after ${req.timeoutMs} ms`)), req.timeoutMs);
        r.on('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
        r.end(req.body);
      });
    },
    close() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}
