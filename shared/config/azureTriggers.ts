import { cosmosContainers } from '../adapters/cosmos/containers';

/**
 * What the Azure Functions triggers need from the adapters, without loading an Azure SDK: the
 * entry point imports this at load time, while the Cosmos DB and Service Bus clients are loaded with
 * the runtime on the first invocation (azureParts.ts). Each import below is of a module that uses
 * the SDKs' types only; tests/unit/coldStart.test.ts checks what the entry loads.
 */

/**
 * The Cosmos DB change-feed trigger that wakes the outbox relay on Azure: it watches the container
 * holding the outbox events and keeps its checkpoints in a lease container, which Bicep declares
 * (with Entra ID the trigger cannot create it: createLeaseContainerIfNotExists needs control-plane
 * rights, and the extension requires partition key /id on it). `connection` is the prefix of the
 * identity-based settings `<connection>__accountEndpoint`, `__credential`, `__clientId`.
 */
export const OUTBOX_CHANGE_FEED = {
  connection: 'CosmosDBConnection',
  containerName: cosmosContainers.tenants.id,
  leaseContainerName: 'leases',
} as const;

export { pendingEventsFromChangeFeed } from '../adapters/cosmos/outbox';

// Queue triggers read messages the way the Service Bus adapter writes them; functions/ reaches the
// adapter only through here (dependency rule: hosts never import adapters).
export { InvalidTaskMessageError, taskFromServiceBusMessage } from '../adapters/servicebus/taskMessage';
