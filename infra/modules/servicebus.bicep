// Service Bus (Standard: scheduled messages and duplicate detection), Entra ID only. One queue per
// task type, listed in infra/queues.json (generated from QUEUE_OF by npm run infra:sync).
param namespaceName string
param location string
param tags object
param principalId string
@description('Deliveries of one message before the broker dead-letters it; equals QUEUE_MAX_ATTEMPTS.')
param maxDeliveryCount int

var queues = loadJsonContent('../queues.json')
// "Azure Service Bus Data Owner": send, receive, and read the queues' runtime properties.
var serviceBusDataOwner = '090c5cfd-751d-490a-894a-3ce6f1109419'

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' = {
  name: namespaceName
  location: location
  tags: tags
  sku: { name: 'Standard', tier: 'Standard' }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
  }
}

resource queue 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = [for name in queues: {
  parent: namespace
  name: name
  properties: {
    // The adapter sends a task's dedupe id as messageId; only duplicate detection makes that "once".
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: 'PT10M'
    maxDeliveryCount: maxDeliveryCount
    // The lock is the lease; the Functions host renews it while a handler runs (host.json).
    lockDuration: 'PT1M'
    deadLetteringOnMessageExpiration: true
    enablePartitioning: false
    requiresSession: false
  }
}]

// Data Owner, not Data Sender + Data Receiver: the app sends (tasks, scheduled retries, cancels)
// and receives (the triggers, the dead-letter operator routes), and target-based scaling reads each
// queue's message count through the runtime-properties API, which needs the Manage right: with
// identity-based connections that is Data Owner. With only Sender + Receiver the Service Bus
// extension silently falls back to peeking and scales late (Azure/azure-functions-host#7921,
// MicrosoftDocs/azure-docs#128626; "Scale efficiency: use Manage rights" in event-driven scaling).
resource dataOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(namespace.id, principalId, serviceBusDataOwner)
  scope: namespace
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', serviceBusDataOwner)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// https://<name>.servicebus.windows.net:443/ → <name>.servicebus.windows.net (any cloud's suffix).
output fullyQualifiedNamespace string = split(split(namespace.properties.serviceBusEndpoint, '//')[1], ':')[0]
output name string = namespace.name
