// The Function App on Flex Consumption (Linux, Node 22), running as the user-assigned identity.
// Host storage, Service Bus triggers, Key Vault references and telemetry all authenticate with
// that identity: the settings below name resources, never hold keys.
param name string
param planName string
param location string
param tags object
param identityId string
param identityClientId string
param storageAccountName string
param storageBlobEndpoint string
param deploymentContainerName string
@description('Fully qualified Service Bus namespace, e.g. sb-xyz.servicebus.windows.net.')
param serviceBusNamespace string
@description('Cosmos DB account endpoint, for the change-feed trigger\'s identity-based connection.')
param cosmosEndpoint string
param applicationInsightsConnectionString string
@description('The service\'s own settings (SETTINGS in shared/config/config.ts), Key Vault references included.')
param appSettings object
param maximumInstanceCount int = 100
param instanceMemoryMB int = 2048
@description('Node.js major version of the workers (a version Flex Consumption supports).')
@allowed([ '22' ])
param nodeVersion string = '22'

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: { name: 'FC1', tier: 'FlexConsumption' }
  properties: { reserved: true }
}

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  // azd deploys the `api` service of azure.yaml to the resource carrying this tag.
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: { type: 'UserAssignedIdentity', userAssignedIdentityResourceId: identityId }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      // Node 20 left Azure Functions support on 30 April 2026 (language runtime support policy).
      // Flex Consumption takes language and version here: linuxFxVersion, FUNCTIONS_WORKER_RUNTIME
      // and FUNCTIONS_EXTENSION_VERSION are deprecated on it (learn.microsoft.com, "Flex Consumption
      // plan deprecations"). The code runs on Node 20 too (package.json engines >=20).
      runtime: { name: 'node', version: nodeVersion }
    }
  }
}

resource settings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: app
  name: 'appsettings'
  properties: union(appSettings, {
    // Functions host storage, identity-based (no AzureWebJobsStorage connection string).
    AzureWebJobsStorage__accountName: storageAccountName
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__clientId: identityClientId
    // DefaultAzureCredential in the SDKs (Cosmos DB, Service Bus, Azure Monitor) picks this identity.
    AZURE_CLIENT_ID: identityClientId
    // The Service Bus triggers' connection (functions/register.ts: SERVICE_BUS_CONNECTION).
    ServiceBusConnection__fullyQualifiedNamespace: serviceBusNamespace
    ServiceBusConnection__credential: 'managedidentity'
    ServiceBusConnection__clientId: identityClientId
    // The outbox change-feed trigger's connection (OUTBOX_CHANGE_FEED.connection), identity-based.
    CosmosDBConnection__accountEndpoint: cosmosEndpoint
    CosmosDBConnection__credential: 'managedidentity'
    CosmosDBConnection__clientId: identityClientId
    APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD;ClientId=${identityClientId}'
  })
}

output name string = app.name
output defaultHostName string = app.properties.defaultHostName
