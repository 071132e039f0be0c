// The user-assigned managed identity the Function App runs as. Every data-plane permission is a
// role assignment to it (see the other modules); no key or connection string sits in app settings.
param name string
param location string
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output principalId string = identity.properties.principalId
output clientId string = identity.properties.clientId
output name string = identity.name
