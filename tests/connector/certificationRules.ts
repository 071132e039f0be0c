/**
 * A small linter for the rules Microsoft applies when certifying a connector (the "Connector
 * certification" submission checklist and the Solution checker / paconn validate warnings):
 * naming, summaries, descriptions, webhook triggers, dynamic values, response schemas, security
 * and metadata. One rule per check, so a failure names exactly what to fix; certification.test.ts
 * gives each rule an example that breaks it.
 */
import type { LintInput, Rule, Violation } from './certification/documents';
import { metadataRules } from './certification/metadataRules';
import { operationRules } from './certification/operationRules';
import { dynamicValueRules, schemaRules } from './certification/schemaRules';
import { triggerRules } from './certification/triggerRules';

export { deref, operations, type Json, type LintInput, type Operation, type Rule, type Violation } from './certification/documents';

/** Every rule, one group per file under ./certification/. */
export const rules: Rule[] = [...operationRules, ...schemaRules, ...triggerRules, ...dynamicValueRules, ...metadataRules];

export function lint(input: LintInput, only: Rule[] = rules): Violation[] {
  return only.flatMap((r) => r.check(input).map((message) => ({ rule: r.id, message })));
}
