import http from 'node:http';
import https from 'node:https';
import type { HttpClient, OutboundRequest, OutboundResponse } from '../../ports/httpClient';

const MAX_BODY = 64 * 1024;

/**
 * Outbound HTTP on node:http with keep-alive agents. Redirects are never followed (a 3xx comes back
 * as it is), bodies are cut at 64 KiB, and the timeout covers the whole exchange.
 */
export function createNodeHttpClient(): HttpClient & { close(): void } {
  const agents = { 'http:': new http.Agent({ keepAlive: true, maxSockets: 64 }), 'https:': new https.Agent({ keepAlive: true, maxSockets: 64 }) };
  return {
    request(req: OutboundRequest): Promise<OutboundResponse> {
      const url = new URL(req.url);
      const lib = url.protocol === 'https:' ? https : http;
      const agent = agents[url.protocol as keyof typeof agents];
      const started = performance.now();
      return new Promise((resolve, reject) => {
        const r = lib.request(url, { method: req.method ?? 'POST', headers: { ...req.headers, ...(req.body ? { 'content-length': Buffer.byteLength(req.body) } : {}) }, agent }, (res) => {
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
            resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).subarray(0, MAX_BODY).toString('utf8'), latencyMs: performance.now() - started });
          });
          res.on('error', reject);
        });
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
