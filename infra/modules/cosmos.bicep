// Cosmos DB for NoSQL, serverless, Entra ID only (local auth off). The containers, their partition
// keys, indexing policies and TTL come from infra/cosmos-containers.json, which is generated from
// the adapter's `cosmosContainers` (npm run infra:sync) and checked against it by the infra test.
param accountName string
param databaseName string
param location string
param tags object
param principalId string
@description('Lease container of the outbox change-feed trigger.')
param leaseContainerName string = 'leases'

var containers = loadJsonContent('../cosmos-containers.json')
// "Cosmos DB Built-in Data Contributor": read and write items, no control plane.
var cosmosDataContributor = '00000000-0000-0000-0000-000000000002'

resource account 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' = {
  name: accountName
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    capabilities: [ { name: 'EnableServerless' } ]
    consistencyPolicy: { defaultConsistencyLevel: 'Session' }
    locations: [ { locationName: location, failoverPriority: 0, isZoneRedundant: false } ]
    disableLocalAuth: true
    minimalTlsVersion: 'Tls12'
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-11-15' = {
  parent: account
  name: databaseName
  properties: {
    resource: { id: databaseName }
  }
}

resource container 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-11-15' = [for c in items(containers): {
  parent: database
  name: c.value.id
  properties: {
    // id, partitionKey, indexingPolicy (only the queried paths, composites matching the ORDER BYs)
    // and defaultTtl (-1: per-item TTL on idempotency markers, delivery attempts, dispatched events).
    resource: c.value
  }
}]

// Checkpoints of the outbox's change-feed trigger (OUTBOX_CHANGE_FEED in shared/config/azureParts.ts).
// Declared here because the trigger signs in with Entra ID, which cannot create containers; the
// Functions Cosmos DB extension requires partition key /id on a lease container.
resource leases 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-11-15' = {
  parent: database
  name: leaseContainerName
  properties: {
    resource: { id: leaseContainerName, partitionKey: { paths: [ '/id' ], kind: 'Hash', version: 2 } }
  }
}

resource dataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-11-15' = {
  parent: account
  name: guid(account.id, principalId, cosmosDataContributor)
  properties: {
    roleDefinitionId: '${account.id}/sqlRoleDefinitions/${cosmosDataContributor}'
    principalId: principalId
    scope: account.id
  }
}

output endpoint string = account.properties.documentEndpoint
output databaseName string = database.name
output accountName string = account.name
