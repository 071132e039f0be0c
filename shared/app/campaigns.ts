import type { AttributeMapping, Campaign, CampaignKind, TriggerMapping } from '../domain/campaign';
import { EVENT_TYPES } from '../domain/events';
import { parseTemplate, variablesOf, type TemplatePart } from '../domain/template';
import type { Account, DomainEvent } from '../domain/types';
import type { CampaignBatchTask, CampaignFilter, Page, PageRequest } from '../ports';
import { makeEvent, nowIso, type AppDeps } from './deps';
import { conflict, invalid, notFound, unprocessable, unprocessableFields, type FieldError } from './errors';
import { retryOnConflict } from './retryOnConflict';
import { checkSendAt, pickSender } from './sendMessage';

/**
 * Campaign definitions and their lifecycle commands. The sending itself (batches, completion) is
 * in campaignSending.ts; trigger calls in campaignTrigger.ts.
 */

export interface CampaignDefinitionInput {
  name: string;
  text: string;
  from?: string | null;
  groupIds?: string[];
  trigger?: { phoneField: string; attributes?: Partial<AttributeMapping>[] };
}

export interface CreateCampaignInput extends CampaignDefinitionInput {
  kind: CampaignKind;
}

/** Variables every bulk recipient has; custom fields add their own names. */
export const CONTACT_VARIABLES = ['phone', 'firstName', 'lastName', 'email'] as const;

export async function createCampaign(deps: AppDeps, account: Account, input: CreateCampaignInput): Promise<Campaign> {
  const definition = await checkDefinition(deps, account, input.kind, input);
  const at = nowIso(deps);
  return deps.store.campaigns.create({
    id: deps.ids.next('cmp'),
    accountId: account.id,
    kind: input.kind,
    status: input.kind === 'bulk' ? 'draft' : 'paused',
    ...definition,
    scheduledFor: null,
    startedAt: null,
    sendingFinishedAt: null,
    completedAt: null,
    failedAt: null,
    cursor: null,
    batches: 0,
    progress: { recipients: 0, accepted: 0, skipped: 0, costMinor: 0n },
    results: null,
    error: null,
    taskRef: null,
    createdAt: at,
    updatedAt: at,
  });
}

/** Changes the definition of a draft bulk campaign or a paused trigger campaign. */
export async function updateCampaign(
  deps: AppDeps,
  account: Account,
  id: string,
  changes: Partial<CampaignDefinitionInput>,
): Promise<Campaign> {
  return retryOnConflict(async () => {
    const c = await getCampaign(deps, account, id);
    if (c.status !== 'draft' && c.status !== 'paused') {
      throw conflict(
        'campaign_not_editable',
        `Campaign ${c.id} is ${c.status}; only a draft (bulk) or paused (trigger) campaign can be changed.`,
      );
    }
    const merged: CampaignDefinitionInput = {
      name: changes.name ?? c.name,
      text: changes.text ?? c.text,
      from: changes.from === undefined ? c.from : changes.from,
      groupIds: changes.groupIds ?? c.groupIds,
      ...(c.kind === 'trigger' ? { trigger: changes.trigger ?? c.trigger! } : {}),
    };
    if (c.kind === 'bulk' && changes.trigger)
      throw unprocessable('not_a_trigger_campaign', '/trigger', 'applies to trigger campaigns only');
    if (c.kind === 'trigger' && changes.groupIds) throw unprocessable('not_a_bulk_campaign', '/groupIds', 'applies to bulk campaigns only');
    const definition = await checkDefinition(deps, account, c.kind, merged);
    return deps.store.campaigns.update({ ...c, ...definition, updatedAt: nowIso(deps) }, []);
  });
}

export async function getCampaign(deps: AppDeps, account: Account, id: string): Promise<Campaign> {
  const c = await deps.store.campaigns.get(account.id, id);
  if (!c) throw notFound(`Campaign ${id}`);
  return c;
}

/**
 * Starts a draft bulk campaign now or at `sendAt`. Starting now records the start and its event,
 * then queues the first batch; a crash in between leaves a `sending` campaign the campaign job
 * finds and queues again.
 */
export async function startCampaign(deps: AppDeps, account: Account, id: string, sendAt: string | undefined): Promise<Campaign> {
  const now = deps.clock.now();
  const scheduledFor = sendAt === undefined ? null : checkSendAt(deps, sendAt, now);
  const started = await retryOnConflict(async () => {
    const c = await getCampaign(deps, account, id);
    if (c.kind !== 'bulk') throw conflict('not_a_bulk_campaign', `Campaign ${c.id} is a trigger campaign: activate it instead.`);
    if (c.status !== 'draft')
      throw conflict('campaign_already_started', `Campaign ${c.id} is ${c.status}; only a draft campaign can be started.`);
    await pickSender(deps, account, c.from ?? undefined);
    for (const [i, groupId] of c.groupIds.entries()) {
      if (!(await deps.store.groups.get(account.id, groupId)))
        throw unprocessable('unknown_group', `/groupIds/${i}`, `group ${groupId} no longer exists; edit the campaign's groups`);
    }
    const recipients = await deps.store.contacts.count(account.id, { groupIds: c.groupIds });
    if (recipients === 0) throw unprocessable('no_recipients', '/groupIds', "the campaign's groups have no contacts");
    const at = new Date(now).toISOString();
    if (scheduledFor) {
      return deps.store.campaigns.update(
        { ...c, status: 'scheduled', scheduledFor, progress: { ...c.progress, recipients }, updatedAt: at },
        [],
      );
    }
    const next: Campaign = { ...c, status: 'sending', startedAt: at, progress: { ...c.progress, recipients }, updatedAt: at };
    return deps.store.campaigns.update(next, [campaignStartedEvent(deps, next, at)]);
  });
  const handle = await deps.queue.send(batchTask(started), {
    delayMs: scheduledFor ? Math.max(0, Date.parse(scheduledFor) - now) : 0,
    dedupeId: batchDedupeId(started),
  });
  if (!scheduledFor) return started;
  return retryOnConflict(async () => {
    const c = await getCampaign(deps, account, id);
    return c.status === 'scheduled' ? deps.store.campaigns.update({ ...c, taskRef: handle }, []) : c;
  });
}

/**
 * Stops a bulk campaign that has not finished sending. Messages already accepted are not recalled:
 * they were charged and handed to the carrier queue like any other message.
 */
export async function cancelCampaign(deps: AppDeps, account: Account, id: string): Promise<Campaign> {
  const cancelled = await retryOnConflict(async () => {
    const c = await getCampaign(deps, account, id);
    if (c.kind !== 'bulk') throw conflict('not_a_bulk_campaign', `Campaign ${c.id} is a trigger campaign: pause it instead.`);
    if (c.status !== 'draft' && c.status !== 'scheduled' && c.status !== 'sending') {
      throw conflict(
        'campaign_not_cancellable',
        `Campaign ${c.id} is ${c.status}; only a draft, scheduled or sending campaign can be cancelled.`,
      );
    }
    return deps.store.campaigns.update({ ...c, status: 'cancelled', updatedAt: nowIso(deps) }, []);
  });
  // The batch handler drops tasks of a cancelled campaign; cancelling the scheduled one just saves a wake-up.
  if (cancelled.taskRef) await deps.queue.cancel(cancelled.taskRef);
  return cancelled;
}

/** Trigger campaigns: `active` accepts calls, `paused` refuses them (seed 004). Idempotent. */
export async function setTriggerCampaignActive(deps: AppDeps, account: Account, id: string, active: boolean): Promise<Campaign> {
  return retryOnConflict(async () => {
    const c = await getCampaign(deps, account, id);
    if (c.kind !== 'trigger')
      throw conflict('not_a_trigger_campaign', `Campaign ${c.id} is a bulk campaign: ${active ? 'start' : 'cancel'} it instead.`);
    const status = active ? 'active' : 'paused';
    if (c.status === status) return c;
    return deps.store.campaigns.update({ ...c, status, updatedAt: nowIso(deps) }, []);
  });
}

export function batchTask(c: Campaign): CampaignBatchTask {
  return { type: 'campaign.batch.v1', accountId: c.accountId, campaignId: c.id, batch: c.batches };
}

export function batchDedupeId(c: Campaign): string {
  return `${c.id}:${c.batches}`;
}

export function campaignStartedEvent(deps: AppDeps, c: Campaign, startedAt: string): DomainEvent {
  return makeEvent(deps, EVENT_TYPES.campaignStarted, c.accountId, {
    campaignId: c.id,
    name: c.name,
    senderId: c.from,
    text: c.text,
    scheduledFor: c.scheduledFor,
    startedAt,
    recipientCount: c.progress.recipients,
    groupIds: c.groupIds,
  });
}

/** The parsed template of a stored campaign (checked when it was saved). */
export function templateOf(c: Campaign): TemplatePart[] {
  const parsed = parseTemplate(c.text);
  if (!parsed.ok) throw new Error(`campaign ${c.id} has an invalid template: ${parsed.reason}`);
  return parsed.parts;
}

type CheckedDefinition = Pick<Campaign, 'name' | 'text' | 'from' | 'groupIds' | 'trigger'>;

/** Validates a definition against the account's groups and sender IDs; errors name the field. */
async function checkDefinition(
  deps: AppDeps,
  account: Account,
  kind: CampaignKind,
  input: CampaignDefinitionInput,
): Promise<CheckedDefinition> {
  const parsed = parseTemplate(input.text);
  if (!parsed.ok) throw invalid([{ path: '/text', message: parsed.reason }]);
  const from = input.from ?? null;
  if (from !== null) await pickSender(deps, account, from);
  if (kind === 'bulk') {
    if (input.trigger) throw unprocessable('not_a_trigger_campaign', '/trigger', 'applies to trigger campaigns only');
    const groupIds = input.groupIds ?? [];
    if (groupIds.length === 0)
      throw unprocessable('groups_required', '/groupIds', 'is required for a bulk campaign: the groups whose contacts get the message');
    for (const [i, groupId] of groupIds.entries()) {
      if (groupIds.indexOf(groupId) !== i) throw invalid([{ path: `/groupIds/${i}`, message: `repeats ${groupId}` }]);
      if (!(await deps.store.groups.get(account.id, groupId)))
        throw unprocessable('unknown_group', `/groupIds/${i}`, `group ${groupId} does not exist`);
    }
    return { name: input.name, text: input.text, from, groupIds, trigger: null };
  }
  if (input.groupIds && input.groupIds.length > 0)
    throw unprocessable(
      'not_a_bulk_campaign',
      '/groupIds',
      'applies to bulk campaigns only: a trigger campaign sends to the phone number of each call',
    );
  if (!input.trigger)
    throw unprocessable(
      'trigger_mapping_required',
      '/trigger',
      'is required for a trigger campaign: which payload field holds the phone number, and which fields fill the template',
    );
  const trigger = checkMapping(input.trigger);
  const known = new Set(['phone', ...trigger.attributes.map((a) => a.name)]);
  const unmapped = variablesOf(parsed.parts).filter((v) => !known.has(v));
  if (unmapped.length > 0) {
    throw unprocessable(
      'template_variable_unmapped',
      '/text',
      `uses ${unmapped.map((v) => `{{${v}}}`).join(', ')} but the trigger mapping has no attribute of that name; add it to trigger.attributes`,
    );
  }
  return { name: input.name, text: input.text, from, groupIds: [], trigger };
}

function checkMapping(raw: NonNullable<CampaignDefinitionInput['trigger']>): TriggerMapping {
  const errors: FieldError[] = [];
  const attributes = (raw.attributes ?? []).map((a, i): AttributeMapping => {
    const name = a.name ?? '';
    if (name === 'phone')
      errors.push({ path: `/trigger/attributes/${i}/name`, message: 'phone is reserved: it is the value of phoneField' });
    if ((raw.attributes ?? []).findIndex((b) => b.name === name) !== i)
      errors.push({ path: `/trigger/attributes/${i}/name`, message: `repeats ${name}` });
    return { name, field: a.field ?? name, type: a.type ?? 'string', required: a.required ?? false };
  });
  if (errors.length > 0) throw unprocessableFields('invalid_trigger_mapping', errors);
  return { phoneField: raw.phoneField, attributes };
}

/** A page of the account's campaigns with their stored totals. */
export async function listCampaigns(deps: AppDeps, accountId: string, filter: CampaignFilter, page: PageRequest): Promise<Page<Campaign>> {
  return deps.store.campaigns.list(accountId, filter, page);
}
