/** Certification rules on security, the test connection, connector metadata and what the connector exposes. */
import { operations, params, type Json, type Rule } from './documents';

// Microsoft's list of connector categories (x-ms-connector-metadata Categories).
const CATEGORIES = new Set([
  'AI',
  'Business Management',
  'Business Intelligence',
  'Collaboration',
  'Commerce',
  'Communication',
  'Content and Files',
  'Finance',
  'Data',
  'Human Resources',
  'Internet of Things',
  'IT Operations',
  'Lifestyle and Entertainment',
  'Marketing',
  'Productivity',
  'Sales and CRM',
  'Security',
  'Social Media',
  'Website',
]);

export const metadataRules: Rule[] = [
  {
    id: 'security-api-key',
    description: 'API-key security in the X-API-Key header, with a securestring connection parameter of the same name.',
    check: ({ definition, properties }) => {
      const defs = (definition.securityDefinitions ?? {}) as Record<string, Json>;
      const names = Object.keys(defs).filter(
        (k) => defs[k]!.type === 'apiKey' && defs[k]!.in === 'header' && defs[k]!.name === 'X-API-Key',
      );
      if (names.length !== 1) return ['securityDefinitions needs one apiKey in the X-API-Key header'];
      const used = ((definition.security ?? []) as Json[]).some((s) => names[0]! in s);
      const conn = (((properties.properties as Json | undefined)?.connectionParameters ?? {}) as Record<string, Json>)[names[0]!];
      const out: string[] = [];
      if (!used) out.push(`security does not require ${names[0]!}`);
      if (conn?.type !== 'securestring') out.push(`apiProperties lacks a securestring connection parameter ${names[0]!}`);
      return out;
    },
  },
  {
    id: 'test-connection',
    description: 'x-ms-capabilities.testConnection names a GET operation without required parameters.',
    check: ({ definition }) => {
      const id = ((definition['x-ms-capabilities'] as Json | undefined)?.testConnection as Json | undefined)?.operationId;
      const target = operations(definition).find((o) => o.id === id);
      if (!target) return [`testConnection operation ${String(id)} does not exist`];
      return target.method === 'get' && !params(target.op).some((p) => p.required === true)
        ? []
        : [`testConnection operation ${target.id} must be a GET without required parameters`];
    },
  },
  {
    id: 'connector-metadata',
    description: "x-ms-connector-metadata gives Website, Privacy policy and Categories from Microsoft's list.",
    check: ({ definition }) => {
      const meta = new Map(
        ((definition['x-ms-connector-metadata'] ?? []) as Json[]).map((m) => [String(m.propertyName), String(m.propertyValue)]),
      );
      const out: string[] = [];
      for (const name of ['Website', 'Privacy policy'])
        if (!/^https:\/\//.test(meta.get(name) ?? '')) out.push(`x-ms-connector-metadata ${name} must be an https URL`);
      const cats = (meta.get('Categories') ?? '').split(';').filter(Boolean);
      if (!cats.length || cats.some((c) => !CATEGORIES.has(c)))
        out.push(`x-ms-connector-metadata Categories "${meta.get('Categories') ?? ''}" must be ;-separated names from Microsoft's list`);
      return out;
    },
  },
  {
    id: 'info-title-description',
    description:
      'info.title is at most 30 characters without "API" or "Connector"; info.description is 30 to 500 characters and does not say "API".',
    check: ({ definition }) => {
      const info = (definition.info ?? {}) as Json;
      const title = String(info.title ?? '');
      const description = String(info.description ?? '');
      const out: string[] = [];
      if (!title || title.length > 30 || /\b(api|connector)\b/i.test(title))
        out.push(`info.title "${title}" must be 1-30 characters without API or Connector`);
      if (description.length < 30 || description.length > 500 || /\bapi\b/i.test(description))
        out.push('info.description must be 30-500 characters without the word API');
      return out;
    },
  },
  {
    id: 'https-only',
    description: 'The connector calls its host over https only.',
    check: ({ definition }) => {
      const schemes = (definition.schemes ?? []) as string[];
      return schemes.length === 1 && schemes[0] === 'https' ? [] : [`schemes must be ["https"], not ${JSON.stringify(schemes)}`];
    },
  },
  {
    id: 'brand-color',
    description: 'iconBrandColor is a #rrggbb colour other than white and the default #007ee5.',
    check: ({ properties }) => {
      const c = String((properties.properties as Json | undefined)?.iconBrandColor ?? '');
      return /^#[0-9a-f]{6}$/i.test(c) && !['#ffffff', '#007ee5'].includes(c.toLowerCase())
        ? []
        : [`iconBrandColor "${c}" must be a non-default, non-white #rrggbb`];
    },
  },
  {
    id: 'no-operator-routes',
    description: 'Operator (admin) and carrier callback routes are not part of the connector.',
    check: ({ definition }) =>
      operations(definition)
        .filter((o) => /^\/(operator|admin|carriers)\//.test(o.path))
        .map((o) => `${o.id}: ${o.path} is an operator or carrier route`),
  },
];
