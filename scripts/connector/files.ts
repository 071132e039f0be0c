import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateConnector, GENERATED_FILES, json, type GeneratedConnector } from '../../shared/connector/generate';
import { breakingChanges, extendLock, operationsOf, type OperationsLock } from '../../shared/connector/operationsLock';
import { connectorOptionsFromEnv } from '../../shared/connector/options';
import { validateApiDefinitionSchema, validateApiPropertiesSchema, validateSwagger20 } from './validate';

export const LOCK_FILE = 'operations.lock.json';

export function readLock(dir: string): OperationsLock {
  const file = join(dir, LOCK_FILE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as OperationsLock) : {};
}

/** Everything wrong with a generation: schema and Swagger validity, and breaking changes against the lock. */
export async function problemsOf(generated: GeneratedConnector, lock: OperationsLock): Promise<string[]> {
  return [
    ...validateApiDefinitionSchema(generated.apiDefinition).map((p) => `apiDefinition.swagger.json: ${p}`),
    ...validateApiPropertiesSchema(generated.apiProperties).map((p) => `apiProperties.json: ${p}`),
    ...(await validateSwagger20(generated.apiDefinition)).map((p) => `apiDefinition.swagger.json (Swagger 2.0): ${p}`),
    ...breakingChanges(lock, operationsOf(generated.apiDefinition)).map((p) => `breaking change: ${p}`),
  ];
}

/** Generates, validates, and writes connector/ (files + the extended lock). Refuses to write an invalid or breaking result. */
export async function buildConnectorFiles(
  dir: string,
  env: Record<string, string | undefined> = process.env,
): Promise<{ written: string[]; problems: string[] }> {
  const generated = generateConnector(connectorOptionsFromEnv(env));
  const lock = readLock(dir);
  const problems = await problemsOf(generated, lock);
  if (problems.length) return { written: [], problems };
  const files: Record<string, Buffer> = { ...generated.files, [LOCK_FILE]: json(extendLock(lock, operationsOf(generated.apiDefinition))) };
  const written: string[] = [];
  for (const [name, content] of Object.entries(files)) {
    const file = join(dir, name);
    if (existsSync(file) && readFileSync(file).equals(content)) continue;
    writeFileSync(file, content);
    written.push(name);
  }
  return { written, problems: [] };
}

/** What `connector:check` reports: committed files that differ from a fresh generation, plus every validity problem. */
export async function checkConnectorFiles(dir: string, env: Record<string, string | undefined> = process.env): Promise<string[]> {
  const generated = generateConnector(connectorOptionsFromEnv(env));
  const lock = readLock(dir);
  const problems = await problemsOf(generated, lock);
  for (const name of GENERATED_FILES) {
    const file = join(dir, name);
    if (!existsSync(file)) problems.push(`connector/${name} is missing; run npm run connector:build`);
    else if (!readFileSync(file).equals(generated.files[name]!))
      problems.push(`connector/${name} differs from a fresh generation; run npm run connector:build and commit the result`);
  }
  const lockNow = extendLock(lock, operationsOf(generated.apiDefinition));
  if (!json(lockNow).equals(json(lock)))
    problems.push(
      `connector/${LOCK_FILE} lacks operations or parameters of the definition; run npm run connector:build and commit the result`,
    );
  return problems;
}
