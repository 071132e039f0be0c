import type { CampaignSkip } from '../domain/campaign';
import type { Account, Message } from '../domain/types';
import { getCampaign } from './campaigns';
import type { AppDeps } from './deps';
import { pagesOf } from './pages';

/** A cell of the export: text, a number or empty. The HTTP layer writes the CSV (and neutralises formulas). */
export type ExportCell = string | number | null;

/** The export's columns, in order; the route's response schema lists them too. */
export const CAMPAIGN_EXPORT_COLUMNS = [
  'messageId',
  'phone',
  'text',
  'status',
  'reasonCode',
  'reasonMessage',
  'segments',
  'cost',
  'currency',
  'createdAt',
  'sentAt',
  'deliveredAt',
] as const;

export interface CampaignExport {
  campaignId: string;
  columns: readonly string[];
  rows: ExportCell[][];
}

/**
 * Every message of the campaign, oldest first (the store lists newest first; oldest first reads
 * best in a spreadsheet), then each contact it skipped, with the reason (the first 1,000).
 */
export async function exportCampaign(deps: AppDeps, account: Account, campaignId: string): Promise<CampaignExport> {
  const c = await getCampaign(deps, account, campaignId);
  const rows: ExportCell[][] = [];
  for await (const messages of pagesOf((page) => deps.store.messages.list(account.id, { campaignId: c.id }, page), 200))
    rows.push(...messages.map(messageRow));
  return { campaignId: c.id, columns: CAMPAIGN_EXPORT_COLUMNS, rows: [...rows.reverse(), ...(c.skips ?? []).map(skipRow)] };
}

/** A contact the campaign did not send to: no message, status skipped, the reason code and why. */
function skipRow(s: CampaignSkip): ExportCell[] {
  return [null, s.phone, null, 'skipped', s.code, s.reason, null, null, null, null, null, null];
}

/** One line of the export: the message, its status and the reason of a failure. */
function messageRow(m: Message): ExportCell[] {
  return [
    m.id,
    m.to,
    m.text,
    m.status,
    m.statusReason?.code ?? null,
    m.statusReason?.message ?? null,
    m.segments,
    m.cost.amount,
    m.cost.currency,
    m.createdAt,
    m.sentAt,
    m.deliveredAt,
  ];
}
