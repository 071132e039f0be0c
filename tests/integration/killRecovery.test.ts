import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MAIN, startHostProcess, type HostProcess } from '../fixtures/hostProcess';

const KEY = 'dfs_kill_test_key';
const TERMINAL = new Set(['delivered', 'undelivered', 'failed', 'cancelled']);

function startProcess(dataDir: string): Promise<HostProcess> {
  return startHostProcess(processEnv(dataDir));
}

function processEnv(dataDir: string): Record<string, string> {
  return {
    DATA_DIR: dataDir,
    DEV_API_KEY: KEY,
    ADMIN_API_KEY: 'kill-admin',
    DEV_ACCOUNT_CREDITS: '1000',
    SIMULATOR_DLR_DELAY_MS: '200',
    // Short lease and reconcile times keep recovery quick; the mechanism is the one production uses.
    QUEUE_LEASE_MS: '1000',
    STALE_AFTER_MS: '1000',
    RECONCILE_INTERVAL_MS: '300',
  };
}

describe('kill -9 mid-flight', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dfs-kill-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('every accepted message reaches a terminal status after restart, and the carrier took each once', async () => {
    expect(existsSync(MAIN)).toBe(true); // `npm test` builds dist/ first
    const first = await startProcess(dir);
    const suffixes = ['0123', '1400', '0503', '0400', '1408', '7777'];
    const accepted: string[] = [];
    const sends = Array.from({ length: 300 }, (_, i) =>
      fetch(`${first.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': KEY },
        body: JSON.stringify({ to: `+1415555${suffixes[i % suffixes.length]}`, text: `kill test ${i}` }),
      })
        .then(async (res) => {
          if (res.status === 202) accepted.push(((await res.json()) as { id: string }).id);
        })
        .catch(() => undefined),
    );
    // Kill once a good share is accepted, while sends, submissions and reports are all in flight.
    while (accepted.length < 120) await new Promise((r) => setTimeout(r, 5));
    const firstExit = first.stop('SIGKILL');
    await Promise.all(sends);
    await firstExit;
    expect(accepted.length).toBeGreaterThanOrEqual(120);
    // Proof the kill landed mid-flight: some accepted messages were not finished yet.
    const atKill = new Database(join(dir, 'dataflows-sms.db'), { readonly: true });
    const unfinished = (atKill.prepare("SELECT COUNT(*) AS n FROM messages WHERE status IN ('queued', 'sent')").get() as { n: number }).n;
    atKill.close();
    expect(unfinished).toBeGreaterThan(0);

    const second = await startProcess(dir);
    try {
      const deadline = Date.now() + 45_000;
      let pending = accepted;
      while (pending.length && Date.now() < deadline) {
        const statuses = await Promise.all(
          pending.map(async (id) => {
            const res = await fetch(`${second.url}/api/messages/${id}`, { headers: { 'x-api-key': KEY } });
            expect(res.status).toBe(200);
            return [(await res.json()) as { id: string; status: string }];
          }),
        );
        pending = statuses
          .flat()
          .filter((m) => !TERMINAL.has(m.status))
          .map((m) => m.id);
        if (pending.length) await new Promise((r) => setTimeout(r, 200));
      }
      expect(pending).toEqual([]);
    } finally {
      await second.stop('SIGTERM');
    }

    const db = new Database(join(dir, 'dataflows-sms.db'), { readonly: true });
    const rows = db
      .prepare(
        'SELECT m.id, m.status, m.to_number, s.accepted_count, s.attempts FROM messages m LEFT JOIN simulator_submissions s ON s.message_id = m.id',
      )
      .all() as {
      id: string;
      status: string;
      to_number: string;
      accepted_count: number | null;
      attempts: number | null;
    }[];
    db.close();
    for (const id of accepted) {
      const row = rows.find((r) => r.id === id)!;
      const rejected = row.to_number.endsWith('0400');
      expect({ id, status: row.status, acceptedByCarrier: row.accepted_count }).toEqual({
        id,
        status: rejected ? 'failed' : row.to_number.endsWith('1400') || row.to_number.endsWith('1408') ? 'undelivered' : 'delivered',
        acceptedByCarrier: rejected ? 0 : 1,
      });
    }
  }, 90_000);
});

describe('kill -9 in the middle of a bulk campaign', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dfs-kill-campaign-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('after a restart every contact gets exactly one message and the campaign completes', async () => {
    const N = 3_000;
    const call = async (url: string, method: string, path: string, body?: unknown) => {
      const res = await fetch(`${url}/api${path}`, {
        method,
        headers: { 'x-api-key': KEY, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      // Arbitrary JSON shapes, checked field by field below: a type per answer would only add noise.
      return (await res.json()) as any;
    };
    const first = await startHostProcess({ ...processEnv(dir), CAMPAIGN_BATCH_SIZE: '100' });
    const group = await call(first.url, 'POST', '/groups', { name: 'Everyone' });
    // Numbers ending 2000-4999: all delivered by the simulator, none of its special suffixes.
    const csv = ['phone', ...Array.from({ length: N }, (_, i) => `+1415555${2000 + i}`)].join('\n');
    expect((await call(first.url, 'POST', '/contacts/import', { csv, groupIds: [group.id] })).created).toBe(N);
    const campaign = await call(first.url, 'POST', '/campaigns', {
      name: 'Killed midway',
      kind: 'bulk',
      text: 'Sale today',
      groupIds: [group.id],
    });
    expect((await call(first.url, 'POST', `/campaigns/${campaign.id}/start`)).status).toBe('sending');
    // Kill once some batches are in, well before the last one.
    const db = () => new Database(join(dir, 'dataflows-sms.db'), { readonly: true });
    const countMessages = () => {
      const d = db();
      try {
        return (d.prepare('SELECT COUNT(*) AS n FROM messages WHERE campaign_id = ?').get(campaign.id) as { n: number }).n;
      } finally {
        d.close();
      }
    };
    while (countMessages() < 400) await new Promise((r) => setTimeout(r, 5));
    await first.stop('SIGKILL');
    const atKill = countMessages();
    expect(atKill).toBeLessThan(N); // the kill landed mid-campaign

    const second = await startHostProcess({ ...processEnv(dir), CAMPAIGN_BATCH_SIZE: '100' });
    try {
      const deadline = Date.now() + 60_000;
      let status = '';
      while (status !== 'completed' && Date.now() < deadline) {
        status = (await call(second.url, 'GET', `/campaigns/${campaign.id}`)).status;
        if (status !== 'completed') await new Promise((r) => setTimeout(r, 200));
      }
      expect(status).toBe('completed');
    } finally {
      await second.stop('SIGTERM');
    }
    const d = db();
    const perPhone = d
      .prepare('SELECT to_number, COUNT(*) AS n, MIN(status) AS status FROM messages WHERE campaign_id = ? GROUP BY to_number')
      .all(campaign.id) as { to_number: string; n: number; status: string }[];
    const submissions = d
      .prepare(
        'SELECT COUNT(*) AS n, MAX(accepted_count) AS most FROM simulator_submissions s JOIN messages m ON m.id = s.message_id WHERE m.campaign_id = ?',
      )
      .get(campaign.id) as { n: number; most: number };
    d.close();
    expect(perPhone).toHaveLength(N);
    expect(perPhone.filter((r) => r.n !== 1 || r.status !== 'delivered')).toEqual([]);
    expect(submissions).toEqual({ n: N, most: 1 });
  }, 120_000);
});

describe('graceful shutdown', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dfs-term-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('SIGTERM finishes requests in flight, exits 0, and the data is there on restart', async () => {
    const first = await startProcess(dir);
    const sends = Array.from({ length: 20 }, (_, i) =>
      fetch(`${first.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': KEY },
        body: JSON.stringify({ to: '+14155550123', text: `term ${i}` }),
      }).then(async (res) => ({ status: res.status, id: ((await res.json()) as { id: string }).id })),
    );
    const accepted = await Promise.all(sends);
    expect(await first.stop('SIGTERM')).toBe(0);
    expect(accepted.every((a) => a.status === 202)).toBe(true);

    const second = await startProcess(dir);
    try {
      for (const { id } of accepted) {
        const res = await fetch(`${second.url}/api/messages/${id}`, { headers: { 'x-api-key': KEY } });
        expect(res.status).toBe(200);
      }
    } finally {
      await second.stop('SIGTERM');
    }
  }, 60_000);
});
