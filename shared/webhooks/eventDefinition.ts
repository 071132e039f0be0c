import type { EventType } from '../domain/events';
import type { JsonSchema } from '../schema/builders';

/** A filter a subscription may set; it appears as a trigger parameter in the connector. */
export interface EventFilterDefinition {
  /** Body property of the subscription request, e.g. `virtualNumber`. */
  name: string;
  schema: JsonSchema;
  /**
   * How a filter value is compared with the event: the dotted path of the event's `data` it is
   * matched against (equality, or membership when the filter is an array).
   */
  matches: string;
  /** Connector dropdown: operationId of an internal list route and the paths in its response. */
  dynamicValues?: { operationId: string; valueCollection: string; valuePath: string; valueTitle: string };
}

/**
 * One webhook trigger of the product. The event catalog (a list of these, one per trigger) is the
 * single source read by the dispatcher, the subscription routes, the docs and the connector generator.
 */
export interface EventDefinition {
  /** Event type name carried in payloads, e.g. `sms.received`. */
  type: EventType;
  /** URL segment of its subscription route: POST /api/hooks/{slug}. */
  slug: string;
  /** PascalCase connector operationId of the trigger, e.g. `OnSmsReceived`. */
  operationId: string;
  /** Connector summary in the "When ..." form. */
  title: string;
  /** "This operation triggers when ..." sentence. */
  description: string;
  /** JSON Schema of the event's `data`, holding every field the product documents promise. */
  dataSchema: JsonSchema;
  filters: EventFilterDefinition[];
}
