import type { InvocationContext } from '@azure/functions';
import { pendingEventsFromChangeFeed } from '../shared/config/azureTriggers';
import { relayEvents } from '../shared/webhooks/relay';
import type { RuntimeProvider } from './runtimeProvider';

/**
 * The Cosmos DB change-feed trigger on the container holding the outbox: relays the undispatched
 * events among the changed documents it is given (every other document, and events already marked
 * dispatched, are skipped). A throw is logged by the host and the feed moves on; the events stay
 * undispatched and the relay's safety-net timer takes them (RELAY_SAFETY_NET_MS).
 */
export function createOutboxChangeFeedHandler(
  runtime: RuntimeProvider,
): (documents: unknown[], context: InvocationContext) => Promise<void> {
  return async (documents) => {
    const events = pendingEventsFromChangeFeed(documents);
    if (events.length === 0) return;
    const rt = await runtime();
    await relayEvents(rt.deps, events);
    rt.deps.logger.debug('change feed relayed events', { count: events.length });
  };
}
