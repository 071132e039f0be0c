// Service Bus (Standard: scheduled messages and duplicate detection), Entra ID only. One queue per
// task type, listed in infra/queues.json (generated from QUEUE_OF by npm run infra:sync).
param namespaceName string
param location string
param tags object
param principalId string
@description('Deliveries of one message before the broker dead-letters it; equals QUEUE_MAX_ATTEMPTS.')
param maxDeliveryCount int

var queues = loadJsonContent('../queues.json')
var serviceBusDataSender = '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
var serviceBusDataReceiver = '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0'

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

// Sender: every send, scheduled retry and cancel. Receiver: the triggers, and the admin routes
// that list (peek) and re-queue dead-lettered tasks.
resource roles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for role in [serviceBusDataSender, serviceBusDataReceiver]: {
  name: guid(namespace.id, principalId, role)
  scope: namespace
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}]

// https://<name>.servicebus.windows.net:443/ → <name>.servicebus.windows.net (any cloud's suffix).
output fullyQualifiedNamespace string = split(split(namespace.properties.serviceBusEndpoint, '//')[1], ':')[0]
output name string = namespace.name
