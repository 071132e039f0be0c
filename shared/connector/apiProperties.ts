import { CONNECTOR } from './metadata';
import type { SwaggerObject } from './swaggerSchema';

/**
 * apiProperties.json: the connection parameter that holds the API key (a securestring, matching
 * the apiKey security definition of the swagger), brand colour, capabilities and publisher.
 */
export function buildApiProperties(): SwaggerObject {
  return {
    properties: {
      connectionParameters: {
        [CONNECTOR.apiKeyParameter]: {
          type: 'securestring',
          uiDefinition: {
            displayName: 'API key',
            description: 'The API key of your DataFlows SMS account.',
            tooltip: 'Your operator gives you the key when the account is created; it is sent in the X-API-Key header.',
            constraints: { tabIndex: 2, clearText: false, required: 'true' },
          },
        },
      },
      iconBrandColor: CONNECTOR.iconBrandColor,
      capabilities: ['actions', 'triggers'],
      publisher: CONNECTOR.publisher,
      stackOwner: CONNECTOR.publisher,
      policyTemplateInstances: [],
    },
  };
}
