import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deref, operations, type Json, type Operation } from './certificationRules';

/**
 * What Power Automate does with a webhook trigger of a custom connector, driven only by the
 * connector definition: it fills the dropdowns by calling the x-ms-dynamic-values operations,
 * builds the subscription body (the x-ms-notification-url property gets the flow's callback URL,
 * the other properties what the maker chose), POSTs it with the connection's API key, keeps the
 * Location of the 201, and DELETEs that Location when the flow is turned off.
 */
export class PowerAutomate {
  private readonly ops: Operation[];
  private readonly keyHeader: string;

  /** `baseUrl` replaces scheme and host of the definition, as a connector pointed at this deployment would. */
  constructor(
    private readonly definition: Json,
    private readonly baseUrl: string,
    private readonly apiKey: string,
  ) {
    this.ops = operations(definition);
    const security = Object.values((definition.securityDefinitions ?? {}) as Record<string, Json>).find(
      (s) => s.type === 'apiKey' && s.in === 'header',
    );
    if (!security) throw new Error('the definition has no API-key header security');
    this.keyHeader = String(security.name);
  }

  triggers(): Operation[] {
    return this.ops.filter((o) => o.op['x-ms-trigger'] !== undefined);
  }

  url(path: string): string {
    return `${this.baseUrl}${String(this.definition.basePath ?? '')}${path}`;
  }

  /** The trigger's body schema (dereferenced). */
  bodySchema(operationId: string): Json {
    const op = this.operation(operationId);
    const body = ((op.op.parameters ?? []) as Json[]).find((p) => p.in === 'body');
    return deref(this.definition, body?.schema as Json)!;
  }

  /** The schema of what the trigger delivers: its x-ms-notification-content. */
  notificationSchema(operationId: string): Json {
    const content = this.operation(operationId).pathItem['x-ms-notification-content'] as Json;
    return content.schema as Json;
  }

  /** The choices of a dropdown, by calling its x-ms-dynamic-values operation as the designer does. */
  async dropdown(operationId: string, property: string): Promise<{ value: unknown; title: unknown }[]> {
    const dv = (this.bodySchema(operationId).properties as Record<string, Json>)[property]?.['x-ms-dynamic-values'] as Json | undefined;
    if (!dv) throw new Error(`${operationId}.${property} has no dropdown`);
    const target = this.operation(String(dv.operationId));
    if (target.method !== 'get') throw new Error(`dropdown operation ${target.id} is not a GET`);
    const res = await fetch(this.url(target.path), { headers: { [this.keyHeader]: this.apiKey } });
    if (res.status !== 200) throw new Error(`dropdown operation ${target.id} answered ${res.status}`);
    const payload = (await res.json()) as Record<string, unknown>;
    const collection = (dv['value-collection'] ? payload[String(dv['value-collection'])] : payload) as Record<string, unknown>[];
    return collection.map((item) => ({ value: item[String(dv['value-path'])], title: item[String(dv['value-title'])] }));
  }

  /** Registers the flow: POST to the trigger with the callback URL and the maker's inputs. */
  async subscribe(
    operationId: string,
    callbackUrl: string,
    inputs: Record<string, unknown> = {},
  ): Promise<{ status: number; location: string | null; body: unknown }> {
    const op = this.operation(operationId);
    const schema = this.bodySchema(operationId);
    const body: Record<string, unknown> = {};
    for (const [name, prop] of Object.entries((schema.properties ?? {}) as Record<string, Json>)) {
      if (prop['x-ms-notification-url'] === true) body[name] = callbackUrl;
      else if (name in inputs) body[name] = inputs[name];
      else if (prop['x-ms-visibility'] === 'internal' && prop.default !== undefined) body[name] = prop.default;
    }
    for (const name of Object.keys(inputs)) if (!(name in body)) throw new Error(`${operationId} has no parameter ${name}`);
    const res = await fetch(this.url(op.path), {
      method: op.method.toUpperCase(),
      headers: { [this.keyHeader]: this.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, location: res.headers.get('location'), body: await res.json() };
  }

  /** Turns the flow off: DELETE on the Location the subscription answered with. */
  async unsubscribe(location: string): Promise<number> {
    const res = await fetch(location, { method: 'DELETE', headers: { [this.keyHeader]: this.apiKey } });
    await res.arrayBuffer();
    return res.status;
  }

  private operation(operationId: string): Operation {
    const op = this.ops.find((o) => o.id === operationId);
    if (!op) throw new Error(`no operation ${operationId} in the definition`);
    return op;
  }
}

export interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/** The flows' side: a local HTTP endpoint on port 0 that records every call and answers 200. */
export async function startReceiver(): Promise<{
  url: string;
  calls: Received[];
  callsTo(path: string): Received[];
  close(): Promise<void>;
}> {
  const calls: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      calls.push({ path: req.url ?? '', headers: req.headers, body: text ? JSON.parse(text) : undefined });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    callsTo: (path) => calls.filter((c) => c.path === path),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
