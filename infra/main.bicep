// DataFlows SMS on Azure, for `azd up`: Functions (Flex Consumption, Node 22), Cosmos DB
// (serverless), Service Bus, Key Vault, Application Insights, and one user-assigned identity with
// data-plane roles on each. tests/unit/infra.test.ts keeps this in step with the code.
targetScope = 'subscription'

@minLength(1)
@maxLength(40)
@description('Name of the azd environment; used in resource names and tags.')
param environmentName string

@minLength(1)
@description('Azure region of every resource (one that offers Flex Consumption).')
param location string

@secure()
@description('Operator key for /api/operator routes (X-Admin-Key). Stored in Key Vault only.')
param adminApiKey string

@secure()
@description('HMAC secret of the carrier simulator\'s callbacks. Stored in Key Vault only.')
param simulatorSecret string

@description('Deliveries of a task before it is dead-lettered: QUEUE_MAX_ATTEMPTS and every queue\'s maxDeliveryCount.')
@minValue(1)
@maxValue(100)
param queueMaxAttempts int = 10

@description('Carrier of accounts that name none: simulator, acs, twilio or kannel (that carrier\'s settings must be given).')
param carrierDefault string = 'simulator'

param priceCurrency string = 'USD'
@description('Price table of priceCurrency; empty for the built-in table of that currency (USD and EUR are built in).')
param priceTable string = ''
@description('Price tables per currency (PRICE_TABLE_USD, PRICE_TABLE_EUR); empty for the built-in ones.')
param priceTableUsd string = ''
param priceTableEur string = ''
param logLevel string = 'info'

// Real carriers: each stays off while its settings are empty. Secrets go to Key Vault.
@secure()
param acsConnectionString string = ''
@secure()
param acsEventGridKey string = ''
param twilioAccountSid string = ''
@secure()
param twilioAuthToken string = ''
param twilioMessagingServiceSid string = ''
param kannelSendSmsUrl string = ''
param kannelUsername string = ''
@secure()
param kannelPassword string = ''
@secure()
param kannelCallbackSecret string = ''
param kannelSmsc string = ''
param kannelThroughput string = ''

@description('Changes the Key Vault\'s name: set AZURE_KEY_VAULT_SUFFIX to a new value to provision again while a vault of an earlier `azd down` (without --purge) is soft-deleted and still holds its name.')
param keyVaultSuffix string = ''

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
// Key Vault names are global and survive deletion for softDeleteRetentionInDays (soft delete cannot
// be turned off), so the vault's name also depends on keyVaultSuffix. Each environment gets its own.
var keyVaultName = 'kv-${take(toLower(uniqueString(subscription().id, environmentName, location, keyVaultSuffix)), 13)}'
var tags = { 'azd-env-name': environmentName }
var deploymentContainerName = 'app-package-${take(resourceToken, 7)}'
var databaseName = 'dataflows-sms'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: { name: 'id-${resourceToken}', location: location, tags: tags }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: 'appi-${resourceToken}'
    location: location
    tags: tags
    principalId: identity.outputs.principalId
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: tags
    principalId: identity.outputs.principalId
    deploymentContainerName: deploymentContainerName
  }
}

module cosmos 'modules/cosmos.bicep' = {
  name: 'cosmos'
  scope: rg
  params: {
    accountName: 'cosmos-${resourceToken}'
    databaseName: databaseName
    location: location
    tags: tags
    principalId: identity.outputs.principalId
  }
}

module serviceBus 'modules/servicebus.bicep' = {
  name: 'servicebus'
  scope: rg
  params: {
    namespaceName: 'sb-${resourceToken}'
    location: location
    tags: tags
    principalId: identity.outputs.principalId
    maxDeliveryCount: queueMaxAttempts
  }
}

// Settings that are secrets: stored in Key Vault, referenced (never copied) by the app settings.
// Empty carrier secrets are not stored, so those carriers stay off.
module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    name: keyVaultName
    location: location
    tags: tags
    principalId: identity.outputs.principalId
    adminApiKey: adminApiKey
    simulatorSecret: simulatorSecret
    carrierSecrets: {
      ACS_CONNECTION_STRING: acsConnectionString
      ACS_EVENTGRID_KEY: acsEventGridKey
      TWILIO_AUTH_TOKEN: twilioAuthToken
      KANNEL_PASSWORD: kannelPassword
      KANNEL_CALLBACK_SECRET: kannelCallbackSecret
    }
  }
}

// The service's own settings (shared/config/config.ts SETTINGS; which ones Azure sets is in
// shared/config/azureSettings.ts). PUBLIC_BASE_URL is left out: the app derives it from
// WEBSITE_HOSTNAME; set it here when a custom domain fronts the app.
var appSettings = {
  STORAGE: 'cosmos'
  QUEUE: 'servicebus'
  COSMOS_ENDPOINT: cosmos.outputs.endpoint
  COSMOS_DATABASE: databaseName
  SERVICEBUS_NAMESPACE: serviceBus.outputs.fullyQualifiedNamespace
  QUEUE_MAX_ATTEMPTS: string(queueMaxAttempts)
  CARRIER_DEFAULT: carrierDefault
  SIMULATOR_DLR_DELAY_MS: '500'
  PRICE_CURRENCY: priceCurrency
  PRICE_TABLE: priceTable
  PRICE_TABLE_USD: priceTableUsd
  PRICE_TABLE_EUR: priceTableEur
  LOG_LEVEL: logLevel
  MAX_BODY_BYTES: '262144'
  // Azure timers run a minute or more apart (each run is an invocation); the embedded default is 30 s.
  RECONCILE_INTERVAL_MS: '60000'
  STALE_AFTER_MS: '60000'
  AUDIT_RETENTION_DAYS: '365'
  CAMPAIGN_BATCH_SIZE: '200'
  CAMPAIGN_COMPLETION_TIMEOUT_HOURS: '72'
  MONITOR_INTERVAL_MS: '300000'
  TWILIO_ACCOUNT_SID: twilioAccountSid
  TWILIO_MESSAGING_SERVICE_SID: twilioMessagingServiceSid
  TWILIO_API_BASE_URL: 'https://api.twilio.com'
  KANNEL_SENDSMS_URL: kannelSendSmsUrl
  KANNEL_USERNAME: kannelUsername
  KANNEL_SMSC: kannelSmsc
  KANNEL_THROUGHPUT: kannelThroughput
  WEBHOOK_ALLOW_LOOPBACK: 'false'
  WEBHOOK_TIMEOUT_MS: '15000'
  RATE_LIMIT_HOOKS_PER_MINUTE: '300'
  RATE_LIMIT_CARRIER_PER_MINUTE: '60000'
  RATE_LIMIT_CAMPAIGN_TRIGGERS_PER_MINUTE: '600'
  AUTH_FAILURES_PER_MINUTE: '20'
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  scope: rg
  // The roles must exist before the app starts: deployment storage, Key Vault references, data.
  dependsOn: [ storage, keyVault, cosmos, serviceBus, monitoring ]
  params: {
    name: 'func-${resourceToken}'
    planName: 'plan-${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    storageBlobEndpoint: storage.outputs.blobEndpoint
    deploymentContainerName: deploymentContainerName
    serviceBusNamespace: serviceBus.outputs.fullyQualifiedNamespace
    cosmosEndpoint: cosmos.outputs.endpoint
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    appSettings: union(appSettings, keyVault.outputs.references)
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_COSMOS_ENDPOINT string = cosmos.outputs.endpoint
output AZURE_SERVICEBUS_NAMESPACE string = serviceBus.outputs.fullyQualifiedNamespace
// The connector generator reads CONNECTOR_HOST (azd writes outputs to the environment).
output CONNECTOR_HOST string = functionApp.outputs.defaultHostName
output API_BASE_URL string = 'https://${functionApp.outputs.defaultHostName}/api'
