/** Certification rules on operations: operationIds, summaries, descriptions and parameters. */
import { operations, params, type Rule } from './documents';

// Words that keep their capitals inside a sentence-case summary.
const PROPER_NOUNS = new Set(['DataFlows', 'Power', 'Automate']);
const isAcronym = (w: string): boolean => /^[A-Z0-9]{2,}s?$/.test(w);

export const operationRules: Rule[] = [
  {
    id: 'operation-id-pascal-case',
    description: 'operationId is PascalCase and alphanumeric.',
    check: ({ definition }) =>
      operations(definition)
        .filter((o) => !/^[A-Z][a-zA-Z0-9]*$/.test(String(o.op.operationId ?? '')))
        .map((o) => `${o.method.toUpperCase()} ${o.path}: operationId "${String(o.op.operationId)}" is not PascalCase alphanumeric`),
  },
  {
    id: 'operation-id-unique',
    description: 'operationIds are unique.',
    check: ({ definition }) => {
      const ids = operations(definition).map((o) => o.id);
      return [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))].map((id) => `operationId ${id} is used more than once`);
    },
  },
  {
    id: 'summary-length',
    description: 'Every operation has a summary of at most 80 characters.',
    check: ({ definition }) =>
      operations(definition)
        .filter((o) => typeof o.op.summary !== 'string' || !o.op.summary || o.op.summary.length > 80)
        .map((o) => `${o.id}: summary missing or longer than 80 characters`),
  },
  {
    id: 'summary-characters',
    description: 'Summaries hold only letters, digits, spaces and parentheses, and end without punctuation.',
    check: ({ definition }) =>
      operations(definition)
        .filter((o) => !/^[A-Za-z0-9 ()]*[A-Za-z0-9)]$/.test(String(o.op.summary ?? '')))
        .map((o) => `${o.id}: summary "${String(o.op.summary)}" has punctuation or other characters`),
  },
  {
    id: 'summary-sentence-case',
    description: 'Summaries are in sentence case: a capital first letter, later words lower case unless acronyms or proper nouns.',
    check: ({ definition }) =>
      operations(definition).flatMap((o) => {
        const words = String(o.op.summary ?? '').split(' ');
        const bad = words.slice(1).filter((w) => /^[A-Z]/.test(w) && !isAcronym(w) && !PROPER_NOUNS.has(w));
        if (!/^[A-Z]/.test(words[0] ?? '')) return [`${o.id}: summary does not start with a capital letter`];
        return bad.length ? [`${o.id}: summary "${String(o.op.summary)}" is not sentence case (${bad.join(', ')})`] : [];
      }),
  },
  {
    id: 'summary-unique',
    description: 'No two operations share a summary (the designer lists them by summary).',
    check: ({ definition }) => {
      const seen = new Map<string, string>();
      const out: string[] = [];
      for (const o of operations(definition)) {
        const s = String(o.op.summary ?? '').toLowerCase();
        if (seen.has(s)) out.push(`${o.id}: same summary as ${seen.get(s)}`);
        else seen.set(s, o.id);
      }
      return out;
    },
  },
  {
    id: 'description-sentence',
    description: 'Every operation has a description that is a full sentence: capital first letter, ending with a period.',
    check: ({ definition }) =>
      operations(definition)
        .filter((o) => !/^[A-Z].*\.$/s.test(String(o.op.description ?? '')))
        .map((o) => `${o.id}: description is not a sentence ending with a period`),
  },
  {
    id: 'description-differs-from-summary',
    description: 'The description says more than the summary.',
    check: ({ definition }) =>
      operations(definition)
        .filter(
          (o) =>
            String(o.op.description ?? '')
              .replace(/\.$/, '')
              .trim()
              .toLowerCase() ===
            String(o.op.summary ?? '')
              .trim()
              .toLowerCase(),
        )
        .map((o) => `${o.id}: description repeats the summary`),
  },
  {
    id: 'parameter-summary-description',
    description: 'Every parameter has an x-ms-summary and a description.',
    check: ({ definition }) =>
      operations(definition).flatMap((o) =>
        params(o.op)
          .filter((p) => !p['x-ms-summary'] || !p.description)
          .map((p) => `${o.id}: parameter ${String(p.name)} lacks x-ms-summary or description`),
      ),
  },
  {
    id: 'path-parameter-required-encoded',
    description: 'Path parameters are required and declare x-ms-url-encoding single.',
    check: ({ definition }) =>
      operations(definition).flatMap((o) =>
        params(o.op)
          .filter((p) => p.in === 'path' && (p.required !== true || p['x-ms-url-encoding'] !== 'single'))
          .map((p) => `${o.id}: path parameter ${String(p.name)} must be required with x-ms-url-encoding single`),
      ),
  },
];
