// Key Vault (RBAC) for the secrets the app reads: the operator key, the simulator's signing secret
// and any carrier secrets the operator supplies. App settings hold only Key Vault references, which
// the platform resolves with the app's identity ("Key Vault Secrets User").
param name string
param location string
param tags object
param principalId string
@secure()
param adminApiKey string
@secure()
param simulatorSecret string
@description('Carrier secrets by app-setting name; empty values are not stored (the carrier stays off).')
@secure()
param carrierSecrets object

var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'
var required = {
  ADMIN_API_KEY: adminApiKey
  SIMULATOR_SECRET: simulatorSecret
}
var stored = filter(items(union(required, carrierSecrets)), s => !empty(s.value))

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    // Soft delete keeps a deleted vault, and its global name, for 7 days; purge protection stays
    // off so `azd down --purge` can free the name at once (see main.bicep keyVaultSuffix).
    softDeleteRetentionInDays: 7
    publicNetworkAccess: 'Enabled'
  }
}

// Secret names are the app-setting names in kebab case (ADMIN_API_KEY → admin-api-key).
resource secret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = [for s in stored: {
  parent: vault
  name: toLower(replace(s.key, '_', '-'))
  properties: { value: s.value }
}]

resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, principalId, keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

output name string = vault.name
output uri string = vault.properties.vaultUri
// App-setting name → Key Vault reference (versionless: a rotated secret is picked up on restart).
output references object = toObject(stored, s => s.key, s => '@Microsoft.KeyVault(VaultName=${vault.name};SecretName=${toLower(replace(s.key, '_', '-'))})')
