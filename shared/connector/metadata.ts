/** Fixed facts about the connector that do not depend on the deployment. */
export const CONNECTOR = {
  title: 'DataFlows SMS',
  description:
    'Send SMS worldwide with approved sender IDs, scheduling, Unicode and per-message cost tracking, and start flows from 17 webhook triggers: inbound SMS, delivery status, low balance, campaigns, contacts, keywords and sender ID decisions.',
  version: '1.0.0',
  publisher: 'DataFlows',
  /** Background of the icon too (icon.ts paints it), so the two always agree. */
  iconBrandColor: '#0B5CAD',
  categories: ['Communication', 'Marketing'],
  /** Name of the API-key security definition and of the matching connection parameter. */
  apiKeyParameter: 'api_key',
  apiKeyHeader: 'X-API-Key',
  /** operationId behind the connection test (GET /me). */
  testConnectionOperationId: 'GetAccount',
} as const;
