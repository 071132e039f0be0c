import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Ajv from 'ajv';
import Ajv04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import SwaggerParser from '@apidevtools/swagger-parser';
import stripJsonComments from 'strip-json-comments';

/**
 * Validation of the generated connector files against Microsoft's published schemas (a copy, with
 * Microsoft's MIT licence beside it, in scripts/connector/schemas) and a Swagger 2.0 parser.
 * Each function returns the problems found; empty means valid.
 */

export function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'connector'))) {
    const up = resolve(dir, '..');
    if (up === dir) throw new Error(`no repository root above ${__dirname}`);
    dir = up;
  }
  return dir;
}

/** The folder of Microsoft's schemas; CONNECTOR_SCHEMA_DIR overrides it. */
export function referenceDir(root = repoRoot()): string {
  return process.env.CONNECTOR_SCHEMA_DIR ?? resolve(root, 'scripts/connector/schemas');
}

/** The reference schemas are JSON with // comments (the upstream files carry TODOs and notes). */
export function readCommentedJson(file: string): Record<string, unknown> {
  return JSON.parse(stripJsonComments(readFileSync(file, 'utf8'))) as Record<string, unknown>;
}

type ValidateFn = ((data: unknown) => boolean) & { errors?: { instancePath: string; message?: string; params?: unknown }[] | null };

let definitionValidator: ValidateFn | undefined;
let propertiesValidator: ValidateFn | undefined;

function describe(errors: ValidateFn['errors']): string[] {
  return (errors ?? []).map((e) =>
    `${e.instancePath || '/'} ${e.message ?? 'is invalid'} ${e.params ? JSON.stringify(e.params) : ''}`.trim(),
  );
}

/** apiDefinition.swagger.json against apiDefinition.swagger.schema.json (draft-04). */
export function validateApiDefinitionSchema(definition: unknown, dir = referenceDir()): string[] {
  if (!definitionValidator) {
    // strict: false — Microsoft's schema carries editor hints (defaultSnippets) that are not JSON Schema keywords.
    const ajv = new Ajv04({ allErrors: true, strict: false });
    addFormats(ajv);
    definitionValidator = ajv.compile(readCommentedJson(join(dir, 'apiDefinition.swagger.schema.json'))) as ValidateFn;
  }
  return definitionValidator(definition) ? [] : describe(definitionValidator.errors);
}

/** apiProperties.json against paconn-apiProperties.schema.json (draft-07). */
export function validateApiPropertiesSchema(properties: unknown, dir = referenceDir()): string[] {
  if (!propertiesValidator) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    const schema = readCommentedJson(join(dir, 'paconn-apiProperties.schema.json'));
    // The file names draft-07 in $schema, which Ajv knows, but uses draft-04's `id`; Ajv 8 wants `$id`.
    const { id, ...rest } = schema;
    propertiesValidator = ajv.compile({ ...rest, $id: id as string }) as ValidateFn;
  }
  return propertiesValidator(properties) ? [] : describe(propertiesValidator.errors);
}

/** Parses and validates as Swagger 2.0 (structure and the spec's semantic rules: unique operationIds, path parameters ...). */
export async function validateSwagger20(definition: unknown): Promise<string[]> {
  try {
    // The parser dereferences in place; give it a copy.
    await SwaggerParser.validate(structuredClone(definition) as Parameters<typeof SwaggerParser.validate>[0]);
    return [];
  } catch (err) {
    return [(err as Error).message];
  }
}
