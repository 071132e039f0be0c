import { routeTable } from '../http/routes';
import type { RouteDef } from '../http/route';
import { buildApiDefinition } from './apiDefinition';
import { buildApiProperties } from './apiProperties';
import { renderIcon } from './icon';
import { CONNECTOR } from './metadata';
import type { ConnectorOptions } from './options';
import type { SwaggerObject } from './swaggerSchema';

/**
 * The generated files of connector/, by name. The generator is tooling: product code never
 * imports shared/connector (dependency-cruiser rule `connector-is-tooling`); scripts/ and tests do.
 */
export interface GeneratedConnector {
  apiDefinition: SwaggerObject;
  apiProperties: SwaggerObject;
  files: Record<string, Buffer>;
}

export const GENERATED_FILES = ['apiDefinition.swagger.json', 'apiProperties.json', 'icon.png'] as const;

export function generateConnector(options: ConnectorOptions, routes: RouteDef[] = routeTable): GeneratedConnector {
  const apiDefinition = buildApiDefinition(routes, options);
  const apiProperties = buildApiProperties();
  return {
    apiDefinition,
    apiProperties,
    files: {
      'apiDefinition.swagger.json': json(apiDefinition),
      'apiProperties.json': json(apiProperties),
      'icon.png': renderIcon(CONNECTOR.iconBrandColor),
    },
  };
}

export function json(value: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
}
