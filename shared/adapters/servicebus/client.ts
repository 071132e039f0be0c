import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { ServiceBusClient, type ServiceBusClientOptions } from '@azure/service-bus';
import type { ServiceBusClientLike } from './links';

export type ServiceBusConnectionConfig =
  | { connectionString: string }
  | {
      /** e.g. `my-namespace.servicebus.windows.net` */
      fullyQualifiedNamespace: string;
      /** Defaults to DefaultAzureCredential (managed identity in Azure, developer login locally). */
      credential?: TokenCredential;
    };

/**
 * Builds the real `ServiceBusClient`. With no connection string, authenticates with Entra ID
 * (the identity needs "Azure Service Bus Data Sender" and "Data Receiver" on the namespace).
 */
export function serviceBusClientFromConfig(
  config: ServiceBusConnectionConfig,
  options?: ServiceBusClientOptions,
): ServiceBusClient & ServiceBusClientLike {
  if ('connectionString' in config) {
    if (!config.connectionString) throw new Error('Service Bus connection string is empty');
    return new ServiceBusClient(config.connectionString, options);
  }
  if (!config.fullyQualifiedNamespace) throw new Error('Service Bus namespace is empty');
  return new ServiceBusClient(config.fullyQualifiedNamespace, config.credential ?? new DefaultAzureCredential(), options);
}
