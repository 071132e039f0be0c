/**
 * Message templates of campaigns: `{{name}}` is replaced by the recipient's value, `{{name|text}}`
 * falls back to `text` when the value is missing or empty (seed 004: "fallback text for when
 * optional data is missing"). Nothing else is special, so a template is readable as the SMS it
 * becomes; a general template engine (Mustache, Handlebars) would add HTML escaping and logic tags
 * an SMS has no use for.
 */

export type TemplatePart = { kind: 'text'; text: string } | { kind: 'variable'; name: string; fallback: string | null };

export type ParsedTemplate = { ok: true; parts: TemplatePart[] } | { ok: false; reason: string };

const VARIABLE = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\|([\s\S]*))?$/;

export function parseTemplate(template: string): ParsedTemplate {
  const parts: TemplatePart[] = [];
  let at = 0;
  while (at < template.length) {
    const open = template.indexOf('{{', at);
    if (open < 0) {
      parts.push({ kind: 'text', text: template.slice(at) });
      break;
    }
    if (open > at) parts.push({ kind: 'text', text: template.slice(at, open) });
    const close = template.indexOf('}}', open + 2);
    if (close < 0) return { ok: false, reason: `has a "{{" at character ${open + 1} that is never closed with "}}"` };
    const m = VARIABLE.exec(template.slice(open + 2, close));
    if (!m)
      return {
        ok: false,
        reason: `has "${template.slice(open, close + 2)}", which is not {{name}} or {{name|fallback}} (names are letters, digits and _)`,
      };
    parts.push({ kind: 'variable', name: m[1]!, fallback: m[2] === undefined ? null : m[2].trim() });
    at = close + 2;
  }
  return { ok: true, parts };
}

/** The variable names a parsed template uses, each once, in order of appearance. */
export function variablesOf(parts: TemplatePart[]): string[] {
  return [...new Set(parts.flatMap((p) => (p.kind === 'variable' ? [p.name] : [])))];
}

/** Fills the template; a missing value without a fallback becomes an empty string. */
export function renderTemplate(parts: TemplatePart[], values: Readonly<Record<string, string | undefined>>): string {
  return parts
    .map((p) => {
      if (p.kind === 'text') return p.text;
      const value = values[p.name];
      return value !== undefined && value !== '' ? value : (p.fallback ?? '');
    })
    .join('')
    .trim();
}

/** Reads a dot path (order.id, customer.name) from a JSON payload; undefined when absent. */
export function readPath(payload: unknown, path: string): unknown {
  let at: unknown = payload;
  for (const key of path.split('.')) {
    if (at === null || typeof at !== 'object' || Array.isArray(at) || !Object.hasOwn(at, key)) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

/** The JSON Pointer of a dot path, for error messages that name the payload field. */
export function pointerOf(path: string): string {
  return `/${path
    .split('.')
    .map((k) => k.replace(/~/g, '~0').replace(/\//g, '~1'))
    .join('/')}`;
}
