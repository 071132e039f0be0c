import type { Container, JSONObject, SqlParameter } from '@azure/cosmos';
import { ERASED, mentions, redactDeep, redactWhereMentioned, type ErasureTarget, type PersonalRecords } from '../../domain/erasure';
import type { OptOut } from '../../domain/optOut';
import type { DomainEvent, Message } from '../../domain/types';
import type { DeliveryAttempt } from '../../domain/webhooks';
import { ERASURE_PAGE, type PrivacyStore } from '../../ports/stores';
import { campaignFromStored } from '../../ports/storedMoney';
import type { CosmosContext } from './context';
import { fromDoc, queryDocs, readDoc, statusOf, withoutSystem, type Doc } from './internal';
import { CosmosOptOutStore, optOutId } from './optOuts';

/** Pages of a single-partition query, ERASURE_PAGE documents at a time. */
async function* pages(container: Container, query: string, parameters: SqlParameter[], accountId: string): AsyncGenerator<Doc[]> {
  const iterator = container.items.query<Doc>({ query, parameters }, { partitionKey: accountId, maxItemCount: ERASURE_PAGE });
  while (iterator.hasMoreResults()) {
    const { resources } = await iterator.fetchNext();
    if (resources.length > 0) yield resources;
  }
}

const MAX_RACES = 10;

/**
 * Erasure, export and text retention in the account's partition of `tenants`. Messages are found
 * through the `/to` index; events, delivery attempts and campaigns hold the number inside their
 * documents (not indexed), so those are read by docType within the partition in pages of
 * ERASURE_PAGE. Each redaction is a replace if-match; a document changed meanwhile (a status
 * transition) is read again and redacted again.
 */
export class CosmosPrivacyStore implements PrivacyStore {
  constructor(private readonly ctx: CosmosContext) {}

  private ofType(accountId: string, docType: string): AsyncGenerator<Doc[]> {
    return pages(
      this.ctx.tenants,
      'SELECT * FROM c WHERE c.accountId = @accountId AND c.docType = @docType',
      [
        { name: '@accountId', value: accountId },
        { name: '@docType', value: docType },
      ],
      accountId,
    );
  }

  private messagesTo(accountId: string, target: ErasureTarget): AsyncGenerator<Doc[]> {
    // IN over the forms: an equality lookup on the /to index each.
    const forms = target.phoneForms.map((f, i) => ({ name: `@f${i}`, value: f }));
    return pages(
      this.ctx.tenants,
      `SELECT * FROM c WHERE c.accountId = @accountId AND c.docType = 'message' AND c.to IN (${forms.map((f) => f.name).join(', ')})`,
      [{ name: '@accountId', value: accountId }, ...forms],
      accountId,
    );
  }

  private async firstMessagesTo(accountId: string, target: ErasureTarget): Promise<Doc[]> {
    const pages = this.messagesTo(accountId, target);
    const first = await pages.next();
    await pages.return(undefined);
    return first.done ? [] : first.value;
  }

  /** Replaces the document with `redact(doc)` if-match, re-reading it after a concurrent change. */
  private async rewrite(doc: Doc, accountId: string, redact: (doc: Doc) => Doc): Promise<void> {
    let current: Doc | null = doc;
    for (let race = 0; current && race < MAX_RACES; race++) {
      try {
        await this.ctx.tenants.item(String(current.id), accountId).replace(withoutSystem(redact(current)) as JSONObject, {
          accessCondition: { type: 'IfMatch', condition: String(current._etag) },
        });
        return;
      } catch (err) {
        if (statusOf(err) !== 412) throw err;
        current = await readDoc(this.ctx.tenants, String(current.id), accountId);
      }
    }
    if (current) throw new Error(`document ${String(current.id)} kept changing during erasure`);
  }

  async erase(accountId: string, e164: string, target: ErasureTarget, optOutKey: string) {
    const counts = { messages: 0, events: 0, deliveryAttempts: 0, optOuts: 0, campaigns: 0 };
    const messageIds = new Set<string>();
    // Redacted messages leave the query's results (their `to` changes), so each round asks again from the start.
    for (let docs = await this.firstMessagesTo(accountId, target); docs.length > 0; docs = await this.firstMessagesTo(accountId, target)) {
      for (const doc of docs) {
        messageIds.add(String(doc.id));
        if (typeof doc.text === 'string' && doc.text !== ERASED) target.texts.add(doc.text);
      }
      for (const doc of docs) {
        await this.rewrite(doc, accountId, (d) => ({ ...(redactWhereMentioned(d, target) as Doc), to: ERASED, text: ERASED }));
        counts.messages++;
      }
    }
    const eventIds = new Set<string>();
    for await (const docs of this.ofType(accountId, 'event')) {
      const hits = docs.filter((d) => mentions(d.data, target) || messageIds.has(String((d.data as Doc | undefined)?.messageId)));
      for (const d of hits) {
        eventIds.add(String(d.id));
        const text = (d.data as Doc).text;
        if (typeof text === 'string' && text !== ERASED) target.texts.add(text);
      }
      for (const d of hits) {
        await this.rewrite(d, accountId, (cur) => ({ ...cur, data: redactDeep(cur.data, target) }));
        counts.events++;
      }
    }
    for await (const docs of this.ofType(accountId, 'deliveryAttempt')) {
      for (const d of docs.filter((a) => eventIds.has(String(a.eventId)) || mentions(a, target))) {
        await this.rewrite(d, accountId, (cur) => redactDeep(cur, target) as Doc);
        counts.deliveryAttempts++;
      }
    }
    for await (const docs of this.ofType(accountId, 'campaign')) {
      for (const d of docs.filter((c) => mentions(withoutSystem(c), target))) {
        await this.rewrite(d, accountId, (cur) => redactWhereMentioned(cur, target) as Doc);
        counts.campaigns++;
      }
    }
    const optOutDoc = await readDoc(this.ctx.tenants, optOutId(e164), accountId);
    if (optOutDoc && optOutDoc.docType === 'optOut') {
      const optOuts = new CosmosOptOutStore(this.ctx);
      const optOut = fromDoc<OptOut>(optOutDoc, ['docType', 'id'], false);
      // Keyed first, then the plain one removed: a crash in between leaves it enforced twice, never not at all.
      await optOuts.add({ ...optOut, phone: optOutKey });
      await optOuts.remove(accountId, e164);
      counts.optOuts = 1;
    }
    return counts;
  }

  async find(accountId: string, target: ErasureTarget): Promise<PersonalRecords> {
    const found: PersonalRecords = { messages: [], events: [], deliveryAttempts: [], campaigns: [] };
    const messageIds = new Set<string>();
    for await (const docs of this.messagesTo(accountId, target)) {
      for (const d of docs) found.messages.push(fromDoc<Message>(d, ['docType'], true)), messageIds.add(String(d.id));
    }
    found.messages.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
    const eventIds = new Set<string>();
    for await (const docs of this.ofType(accountId, 'event')) {
      for (const d of docs) {
        if (!mentions(d.data, target) && !messageIds.has(String((d.data as Doc | undefined)?.messageId))) continue;
        found.events.push(fromDoc<DomainEvent>(d, ['docType', 'dispatched'], false));
        eventIds.add(String(d.id));
      }
    }
    found.events.sort((a, b) => a.occurredAt.localeCompare(b.occurredAt) || a.id.localeCompare(b.id));
    for await (const docs of this.ofType(accountId, 'deliveryAttempt')) {
      for (const d of docs)
        if (eventIds.has(String(d.eventId))) found.deliveryAttempts.push(fromDoc<DeliveryAttempt>(d, ['docType'], false));
    }
    for await (const docs of this.ofType(accountId, 'campaign')) {
      for (const d of docs)
        if (mentions(withoutSystem(d), target))
          found.campaigns.push(campaignFromStored(fromDoc<Record<string, unknown>>(d, ['docType'], true)));
    }
    return found;
  }

  async redactTexts(
    accountId: string,
    from: string,
    before: string,
    limit: number,
  ): Promise<{ redacted: number; resumeFrom: string | null }> {
    // /createdAt is indexed; /text is not (a filter on it would need a scan), so erased texts are skipped here.
    const docs = await queryDocs(
      this.ctx.tenants,
      `SELECT TOP ${Math.max(1, Math.floor(limit))} * FROM c WHERE c.accountId = @accountId AND c.docType = 'message' AND c.createdAt >= @from AND c.createdAt < @before ORDER BY c.createdAt ASC`,
      [
        { name: '@accountId', value: accountId },
        { name: '@from', value: from },
        { name: '@before', value: before },
      ],
      accountId,
    );
    let redacted = 0;
    for (const d of docs.filter((m) => m.text !== ERASED)) {
      await this.rewrite(d, accountId, (cur) => ({ ...cur, text: ERASED }));
      redacted++;
    }
    return { redacted, resumeFrom: docs.length < limit ? null : String(docs[docs.length - 1]!.createdAt) };
  }
}
