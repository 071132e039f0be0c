/** Certification rules on webhook triggers. */
import { operations, params, isTrigger, deref, type Json, type Rule } from './documents';

export const triggerRules: Rule[] = [
  {
    id: 'trigger-post-single',
    description: 'A webhook trigger is a POST marked x-ms-trigger: single.',
    check: ({ definition }) =>
      operations(definition)
        .filter((o) => isTrigger(o) && (o.method !== 'post' || o.op['x-ms-trigger'] !== 'single'))
        .map((o) => `${o.id}: a webhook trigger must be a POST with x-ms-trigger single`),
  },
  {
    id: 'trigger-notification-url',
    description: 'A trigger body has exactly one callback URL property: string, x-ms-notification-url true, required, internal.',
    check: ({ definition }) =>
      operations(definition)
        .filter(isTrigger)
        .flatMap((o) => {
          const body = params(o.op).find((p) => p.in === 'body');
          const schema = deref(definition, body?.schema as Json | undefined);
          const urls = Object.entries((schema?.properties ?? {}) as Record<string, Json>).filter(
            ([, s]) => s['x-ms-notification-url'] === true,
          );
          if (body?.required !== true || urls.length !== 1)
            return [`${o.id}: needs a required body with exactly one x-ms-notification-url property`];
          const [name, s] = urls[0]!;
          const required = (schema?.required as string[] | undefined) ?? [];
          return s.type === 'string' && required.includes(name) && s['x-ms-visibility'] === 'internal'
            ? []
            : [`${o.id}: callback URL ${name} must be a required internal string`];
        }),
  },
  {
    id: 'trigger-notification-content',
    description: 'A trigger declares x-ms-notification-content with the schema of what it delivers.',
    check: ({ definition }) =>
      operations(definition)
        .filter(isTrigger)
        .flatMap((o) => {
          const content = o.pathItem['x-ms-notification-content'] as Json | undefined;
          const schema = deref(definition, content?.schema as Json | undefined);
          return schema?.type === 'object' && schema.properties ? [] : [`${o.id}: missing x-ms-notification-content with an object schema`];
        }),
  },
  {
    id: 'trigger-location-header',
    description: 'A trigger answers 201 and declares the Location header Power Automate DELETEs to unsubscribe.',
    check: ({ definition }) =>
      operations(definition)
        .filter(isTrigger)
        .flatMap((o) => {
          const created = ((o.op.responses ?? {}) as Record<string, Json>)['201'];
          const headers = (created?.headers ?? {}) as Record<string, Json>;
          return headers.Location?.type === 'string' ? [] : [`${o.id}: 201 response with a Location header is required`];
        }),
  },
  {
    id: 'trigger-summary-when',
    description: 'Trigger summaries read "When ...".',
    check: ({ definition }) =>
      operations(definition)
        .filter((o) => isTrigger(o) && !/^When /.test(String(o.op.summary ?? '')))
        .map((o) => `${o.id}: trigger summary must start with "When "`),
  },
  {
    id: 'trigger-description-form',
    description: 'Trigger descriptions read "This operation triggers when ...".',
    check: ({ definition }) =>
      operations(definition)
        .filter((o) => isTrigger(o) && !/^This operation triggers when /.test(String(o.op.description ?? '')))
        .map((o) => `${o.id}: trigger description must start with "This operation triggers when "`),
  },
  {
    id: 'trigger-hint',
    description: 'Every trigger has an x-ms-trigger-hint telling the maker how to fire it.',
    check: ({ definition }) =>
      operations(definition)
        .filter((o) => isTrigger(o) && !(typeof o.op['x-ms-trigger-hint'] === 'string' && o.op['x-ms-trigger-hint'].length > 10))
        .map((o) => `${o.id}: x-ms-trigger-hint missing`),
  },
  {
    id: 'trigger-delete-operation',
    description: 'With triggers there is one internal DELETE operation for the subscription Location.',
    check: ({ definition }) => {
      const ops = operations(definition);
      if (!ops.some(isTrigger)) return [];
      const deletes = ops.filter((o) => o.method === 'delete' && o.op['x-ms-visibility'] === 'internal' && /\{[^}]+\}$/.test(o.path));
      return deletes.length ? [] : ['no internal DELETE operation on a subscription path (e.g. /hooks/{subscriptionId})'];
    },
  },
];
