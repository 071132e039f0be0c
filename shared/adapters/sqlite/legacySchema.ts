import { ACCOUNT_MIGRATIONS } from './accounts';
import type { Db } from './database';
import { MESSAGE_MIGRATIONS } from './messages';
import { OUTBOX_MIGRATIONS } from './outbox';
import { SENDER_ID_MIGRATIONS } from './senderIds';
import { VIRTUAL_NUMBER_MIGRATIONS } from './virtualNumbers';

/**
 * Until the SQLite stores got one file each, accounts, messages, sender IDs, virtual numbers and the
 * outbox were migrated together as one component, `datastore`. Each of its versions was a run of the
 * stores' own migrations, listed here by store component and migration index, so a data folder
 * recorded that way carries on from the per-store versions it implies. Frozen: never add a step.
 */
const LEGACY_COMPONENT = 'datastore';
const OWN_MIGRATIONS: Record<string, string[]> = {
  accounts: ACCOUNT_MIGRATIONS,
  messages: MESSAGE_MIGRATIONS,
  senderIds: SENDER_ID_MIGRATIONS,
  virtualNumbers: VIRTUAL_NUMBER_MIGRATIONS,
  outbox: OUTBOX_MIGRATIONS,
};
const LEGACY_STEPS: ReadonlyArray<ReadonlyArray<readonly [component: string, index: number]>> = [
  [
    ['accounts', 0],
    ['messages', 0],
    ['senderIds', 0],
    ['virtualNumbers', 0],
    ['outbox', 0],
  ],
  [['outbox', 1]],
  [['messages', 1]],
];

/** The legacy component's migrations as that release ran them (for tests that build an old folder). */
export const legacyDataStoreMigrations = (): string[] => LEGACY_STEPS.map((step) => step.map(([c, i]) => OWN_MIGRATIONS[c]![i]!).join(''));

const versionOf = (db: Db, component: string): number | null =>
  (db.prepare('SELECT version FROM schema_versions WHERE component = ?').get(component) as { version: number } | undefined)?.version ??
  null;

/** Before the stores migrate: a folder at legacy version v gets the per-store versions v implies. */
export function carryOverLegacyVersions(db: Db): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL)');
  const legacy = versionOf(db, LEGACY_COMPONENT);
  if (legacy === null) return;
  const implied = new Map<string, number>();
  for (const step of LEGACY_STEPS.slice(0, legacy)) for (const [component, index] of step) implied.set(component, index + 1);
  // OR IGNORE: a store that already has its own row has migrated since and knows better.
  const seed = db.prepare('INSERT OR IGNORE INTO schema_versions (component, version) VALUES (?, ?)');
  db.transaction(() => implied.forEach((version, component) => seed.run(component, version)))();
}

/**
 * After the stores migrate: the legacy row says every legacy step is applied, as it is now, so a
 * release from before the split can still open the folder (it would otherwise re-create the tables).
 */
export function recordLegacyVersion(db: Db): void {
  db.prepare(
    'INSERT INTO schema_versions (component, version) VALUES (?, ?) ON CONFLICT(component) DO UPDATE SET version = max(version, excluded.version)',
  ).run(LEGACY_COMPONENT, LEGACY_STEPS.length);
}
