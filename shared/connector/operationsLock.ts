import type { SwaggerObject } from './swaggerSchema';

/**
 * The breaking-change guard. connector/operations.lock.json records, for every operation ever
 * published, its method, path and every parameter with whether it is required. Power Platform
 * flows keep calling an operation by its id with the parameters they were saved with, so an
 * operation may never disappear and a parameter may never become required; a new version of an
 * operation gets a new operationId (Microsoft's own practice). `connector:build` only ever adds
 * to the lock; a test and `connector:check` compare the definition with it.
 */
export interface LockedOperation {
  method: string;
  path: string;
  /** Parameter name → required. Body properties are `body.<name>` (nested: `body.a.b`). */
  parameters: Record<string, boolean>;
}

export type OperationsLock = Record<string, LockedOperation>;

const METHODS = ['get', 'put', 'post', 'patch', 'delete'];

/** The operations of a definition in lock form. */
export function operationsOf(definition: SwaggerObject): OperationsLock {
  const out: OperationsLock = {};
  for (const [path, item] of Object.entries(definition.paths as Record<string, SwaggerObject>)) {
    for (const method of METHODS) {
      const op = item[method] as SwaggerObject | undefined;
      if (!op) continue;
      const parameters: Record<string, boolean> = {};
      for (const p of (op.parameters as SwaggerObject[] | undefined) ?? []) {
        if (p.in === 'body') {
          parameters.body = p.required === true;
          bodyProperties(p.schema as SwaggerObject, 'body', p.required === true, parameters);
        } else {
          parameters[`${p.in}.${p.name as string}`] = p.required === true;
        }
      }
      out[op.operationId as string] = { method: method.toUpperCase(), path, parameters };
    }
  }
  return out;
}

// A nested property is effectively required only when every object above it is required too.
function bodyProperties(schema: SwaggerObject, prefix: string, parentRequired: boolean, out: Record<string, boolean>): void {
  const props = schema.properties as Record<string, SwaggerObject> | undefined;
  if (!props) return;
  const required = (schema.required as string[] | undefined) ?? [];
  for (const [name, s] of Object.entries(props)) {
    const key = `${prefix}.${name}`;
    const isRequired = parentRequired && required.includes(name);
    out[key] = isRequired;
    bodyProperties(s, key, isRequired, out);
  }
}

/** Every way `current` breaks flows built on `lock`; empty when it is compatible. */
export function breakingChanges(lock: OperationsLock, current: OperationsLock): string[] {
  const problems: string[] = [];
  for (const [id, was] of Object.entries(lock)) {
    const now = current[id];
    if (!now) {
      problems.push(`operation ${id} (${was.method} ${was.path}) was removed or renamed; keep it and add a new operation instead`);
      continue;
    }
    if (now.method !== was.method || now.path !== was.path)
      problems.push(`operation ${id} moved from ${was.method} ${was.path} to ${now.method} ${now.path}`);
    for (const [name, required] of Object.entries(now.parameters)) {
      if (!required) continue;
      if (!(name in was.parameters)) problems.push(`operation ${id}: new parameter ${name} is required; new parameters must be optional`);
      else if (!was.parameters[name]) problems.push(`operation ${id}: parameter ${name} was optional and is now required`);
    }
    for (const name of Object.keys(was.parameters)) {
      if (!(name in now.parameters)) problems.push(`operation ${id}: parameter ${name} was removed`);
    }
  }
  return problems;
}

/**
 * The lock after a build: existing entries keep what they promised, new operations and new
 * optional parameters are added. Never drops or tightens anything (that is what the guard is for).
 */
export function extendLock(lock: OperationsLock, current: OperationsLock): OperationsLock {
  const out: OperationsLock = {};
  for (const [id, was] of Object.entries(lock)) {
    const now = current[id];
    out[id] = { ...was, parameters: { ...was.parameters } };
    if (!now) continue;
    for (const [name, required] of Object.entries(now.parameters)) if (!(name in out[id]!.parameters)) out[id]!.parameters[name] = required;
  }
  for (const [id, now] of Object.entries(current)) if (!out[id]) out[id] = now;
  return sortLock(out);
}

function sortLock(lock: OperationsLock): OperationsLock {
  return Object.fromEntries(
    Object.keys(lock)
      .sort()
      .map((id) => [
        id,
        {
          ...lock[id]!,
          parameters: Object.fromEntries(
            Object.keys(lock[id]!.parameters)
              .sort()
              .map((k) => [k, lock[id]!.parameters[k]!]),
          ),
        },
      ]),
  );
}
