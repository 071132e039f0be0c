import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Json } from './certificationRules';

/** The committed connector files, read as Power Platform reads them: from disk, nothing else. */
export const CONNECTOR_DIR = join(__dirname, '../../connector');

export function committedDefinition(): Json {
  return JSON.parse(readFileSync(join(CONNECTOR_DIR, 'apiDefinition.swagger.json'), 'utf8')) as Json;
}

export function committedProperties(): Json {
  return JSON.parse(readFileSync(join(CONNECTOR_DIR, 'apiProperties.json'), 'utf8')) as Json;
}
