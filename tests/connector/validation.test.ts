import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  readCommentedJson,
  referenceDir,
  validateApiDefinitionSchema,
  validateApiPropertiesSchema,
  validateSwagger20,
} from '../../scripts/connector/validate';
import type { Json } from './certificationRules';
import { committedDefinition, committedProperties } from './committed';

const clone = <T>(v: T): T => structuredClone(v);
// The negative cases edit deep paths of the JSON document; typing every step would only add noise.

describe("the connector files against Microsoft's schemas and a Swagger 2.0 parser", () => {
  test('the reference schemas are found beside the repository and carry comments that must be stripped', () => {
    const file = join(referenceDir(), 'apiDefinition.swagger.schema.json');
    expect(existsSync(file)).toBe(true);
    const text = readFileSync(file, 'utf8');
    expect(() => JSON.parse(text)).toThrow(); // the // comments make it invalid JSON as published
    expect(readCommentedJson(file)).toMatchObject({ $schema: 'http://json-schema.org/draft-04/schema#' });
  });

  test('apiDefinition.swagger.json is valid against apiDefinition.swagger.schema.json (draft-04)', () => {
    expect(validateApiDefinitionSchema(committedDefinition())).toEqual([]);
  });

  test('apiProperties.json is valid against paconn-apiProperties.schema.json', () => {
    expect(validateApiPropertiesSchema(committedProperties())).toEqual([]);
  });

  test('apiDefinition.swagger.json parses and validates as Swagger 2.0', async () => {
    expect(await validateSwagger20(committedDefinition())).toEqual([]);
  });

  test('the schema validation rejects what Power Platform would reject', () => {
    // `any` below: each case breaks the definition in a place its type would forbid, on purpose.
    const badTrigger = clone(committedDefinition()) as any;
    badTrigger.paths['/hooks/sms-received'].post['x-ms-trigger'] = 'sometimes';
    expect(validateApiDefinitionSchema(badTrigger).join('\n')).toMatch(/x-ms-trigger/);

    const badVisibility = clone(committedDefinition()) as any;
    badVisibility.paths['/messages'].post['x-ms-visibility'] = 'hidden';
    expect(validateApiDefinitionSchema(badVisibility)).not.toEqual([]);

    const pathNotRequired = clone(committedDefinition()) as any;
    pathNotRequired.paths['/messages/{messageId}'].get.parameters[0].required = false;
    expect(validateApiDefinitionSchema(pathNotRequired)).not.toEqual([]);

    const openApi3 = { openapi: '3.0.0', info: { title: 'x', version: '1' }, paths: {} };
    expect(validateApiDefinitionSchema(openApi3)).not.toEqual([]);
  });

  test('the apiProperties validation rejects an unknown connection parameter type and a missing brand colour', () => {
    const props = clone(committedProperties()) as { properties: Json & { connectionParameters: Record<string, Json> } };
    props.properties.connectionParameters.api_key!.type = 'password';
    expect(validateApiPropertiesSchema(props)).not.toEqual([]);
    const noColour = clone(committedProperties()) as { properties: Json };
    delete noColour.properties.iconBrandColor;
    expect(validateApiPropertiesSchema(noColour).join('\n')).toMatch(/iconBrandColor/);
  });

  test('the Swagger parser rejects a duplicate operationId and an undeclared path parameter', async () => {
    // `any`: the cases are deliberately ill-typed definitions.
    const dup = clone(committedDefinition()) as any;
    dup.paths['/balance'].get.operationId = 'GetAccount';
    expect((await validateSwagger20(dup)).join('\n')).toMatch(/GetAccount/);
    const missingParam = clone(committedDefinition()) as any;
    missingParam.paths['/messages/{messageId}'].get.parameters = [];
    expect(await validateSwagger20(missingParam)).not.toEqual([]);
  });
});
