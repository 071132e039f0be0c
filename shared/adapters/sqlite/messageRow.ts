import type { Message, MessageStatus, StatusChange } from '../../domain/types';

/**
 * The compact row of a message (schema version 3): what lists filter on in columns, what never
 * changes after accept in `fixed`, what a transition changes in `state` (short keys, no nulls).
 * Times of createdAt's day are kept as milliseconds since createdAt when both are canonical ISO
 * strings (what the clock writes), else as the string itself, so every value reads back exactly.
 * Rows migrated from version 2 keep their times and history entries as strings and objects.
 */

const STATUSES: readonly MessageStatus[] = ['queued', 'scheduled', 'sent', 'delivered', 'undelivered', 'failed', 'cancelled'];

export interface MessageRow {
  account_id: string;
  id: string;
  status: MessageStatus;
  to_number: string;
  from_sender: string;
  text: string;
  created_at: string;
  updated_at: string;
  scheduled_for: string | null;
  carrier: string;
  carrier_message_id: string | null;
  idempotency_key: string | null;
  campaign_id: string | null;
  /** An integer revision; the text etag of a row copied from version 2 until its next transition. */
  rev: number | string;
  fixed: string;
  state: string;
}

/**
 * A time as the clock writes it (YYYY-MM-DDTHH:MM:SS.mmmZ): its date part and its milliseconds
 * into that day. Read by hand rather than through Date: this runs several times per message read.
 */
type DayTime = { date: string; ms: number };
const CANONICAL = /^(\d{4}-\d{2}-\d{2}T)(\d{2}):(\d{2}):(\d{2})\.(\d{3})Z$/;

function dayTimeOf(iso: string): DayTime | null {
  const m = CANONICAL.exec(iso);
  if (!m) return null;
  const h = Number(m[2]);
  const min = Number(m[3]);
  const sec = Number(m[4]);
  if (h > 23 || min > 59 || sec > 59) return null;
  return { date: m[1]!, ms: ((h * 60 + min) * 60 + sec) * 1000 + Number(m[5]) };
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** A time of the same day as createdAt is kept as milliseconds since createdAt; any other as its string. */
function timeOut(at: string, created: DayTime | null): string | number {
  if (created === null || !at.startsWith(created.date)) return at;
  const t = dayTimeOf(at);
  return t === null ? at : t.ms - created.ms;
}

function timeIn(v: string | number, createdAt: string): string {
  if (typeof v === 'string') return v;
  const created = dayTimeOf(createdAt)!;
  const ms = created.ms + v;
  const sec = Math.floor(ms / 1000);
  return `${created.date}${pad(Math.floor(sec / 3600), 2)}:${pad(Math.floor(sec / 60) % 60, 2)}:${pad(sec % 60, 2)}.${pad(ms % 1000, 3)}Z`;
}

type HistoryEntry = [number | string, string | number, StatusChange['reason']?];

function historyOut(h: StatusChange[], created: DayTime | null): HistoryEntry[] {
  return h.map((c) => {
    const i = STATUSES.indexOf(c.status);
    const entry: HistoryEntry = [i < 0 ? c.status : i, timeOut(c.at, created)];
    if (c.reason) entry.push(c.reason);
    return entry;
  });
}

function historyIn(h: (HistoryEntry | StatusChange)[], createdAt: string): StatusChange[] {
  return h.map((e) => {
    if (!Array.isArray(e)) return e;
    const status = typeof e[0] === 'number' ? STATUSES[e[0]]! : (e[0] as MessageStatus);
    const change: StatusChange = { status, at: timeIn(e[1], createdAt) };
    if (e[2]) change.reason = e[2];
    return change;
  });
}

// The fields written into the `fixed` JSON and the `state` JSON under short keys.
type Fixed = {
  e?: string;
  g: number;
  c: number;
  x?: boolean;
  $: [string, string, number, string];
  u?: string;
  q?: Record<string, string>;
  k?: 0;
};
type State = {
  r?: Message['statusReason'];
  s?: string | number;
  d?: string | number;
  a: number;
  h: (HistoryEntry | StatusChange)[];
  n?: Message['notifyOnDelivery'];
  t?: Message['taskRef'];
  o?: Record<string, unknown>;
};

/** `fixed`: set at accept and never rewritten. */
export function fixedOf(m: Message): string {
  const f: Fixed = { g: m.segments, c: m.characters, $: [m.cost.amount, m.cost.currency, m.cost.segments, m.cost.unitPrice] };
  // The usual values are left out: GSM-7, no non-English characters, no callback, no arguments.
  if (m.encoding !== 'GSM-7') f.e = m.encoding;
  if (m.nonEnglishChars) f.x = true;
  if (m.callbackUrl !== null) f.u = m.callbackUrl;
  if (m.uniqueArgs !== null) f.q = m.uniqueArgs;
  // campaignId: a column when set; absent is kept apart from null (both occur, null more often).
  if (m.campaignId === undefined) f.k = 0;
  return JSON.stringify(f);
}

/** `state`: what a transition may change, rewritten by each one. */
export function stateOf(m: Message): string {
  const created = dayTimeOf(m.createdAt);
  const {
    id: _id,
    accountId: _a,
    to: _to,
    from: _from,
    text: _text,
    status: _status,
    statusReason,
    encoding: _e,
    segments: _g,
    characters: _c,
    nonEnglishChars: _x,
    cost: _cost,
    createdAt: _ca,
    updatedAt: _ua,
    scheduledFor: _sf,
    sentAt,
    deliveredAt,
    attempts,
    carrier: _carrier,
    carrierMessageId: _cm,
    callbackUrl: _cb,
    uniqueArgs: _q,
    idempotencyKey: _ik,
    campaignId: _k,
    history,
    notifyOnDelivery,
    taskRef,
    etag: _etag,
    ...other
  } = m;
  const s: State = { a: attempts, h: historyOut(history, created) };
  if (statusReason !== null) s.r = statusReason;
  if (sentAt !== null) s.s = timeOut(sentAt, created);
  if (deliveredAt !== null) s.d = timeOut(deliveredAt, created);
  if (notifyOnDelivery !== undefined) s.n = notifyOnDelivery;
  if (taskRef !== null) s.t = taskRef;
  // Fields this codec does not know yet are kept as they are.
  if (Object.keys(other).length > 0) s.o = other;
  return JSON.stringify(s);
}

export function messageOf(row: MessageRow): Message {
  const f = JSON.parse(row.fixed) as Fixed;
  const s = JSON.parse(row.state) as State;
  const createdAt = row.created_at;
  const m: Message = {
    ...s.o,
    id: row.id,
    accountId: row.account_id,
    to: row.to_number,
    from: row.from_sender,
    text: row.text,
    status: row.status,
    statusReason: s.r ?? null,
    encoding: (f.e ?? 'GSM-7') as Message['encoding'],
    segments: f.g,
    characters: f.c,
    nonEnglishChars: f.x ?? false,
    cost: { amount: f.$[0], currency: f.$[1], segments: f.$[2], unitPrice: f.$[3] },
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    scheduledFor: row.scheduled_for,
    sentAt: s.s === undefined || s.s === null ? null : timeIn(s.s, createdAt),
    deliveredAt: s.d === undefined || s.d === null ? null : timeIn(s.d, createdAt),
    attempts: s.a,
    carrier: row.carrier,
    carrierMessageId: row.carrier_message_id,
    callbackUrl: f.u ?? null,
    uniqueArgs: f.q ?? null,
    idempotencyKey: row.idempotency_key,
    history: historyIn(s.h, createdAt),
    taskRef: s.t ?? null,
    etag: String(row.rev),
  };
  if (row.campaign_id !== null) m.campaignId = row.campaign_id;
  else if (f.k !== 0) m.campaignId = null;
  if (s.n !== undefined && s.n !== null) m.notifyOnDelivery = s.n;
  return m;
}
