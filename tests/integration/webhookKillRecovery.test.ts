import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startReceiver } from '../fixtures/webhookReceiver';
import { MAIN, startHostProcess, type HostProcess } from '../fixtures/hostProcess';

const KEY = 'dfs_webhook_kill_key';

function startProcess(dataDir: string): Promise<HostProcess> {
  return startHostProcess({
    DATA_DIR: dataDir,
    DEV_API_KEY: KEY,
    ADMIN_API_KEY: 'kill-admin',
    SIMULATOR_DLR_DELAY_MS: '50',
    QUEUE_LEASE_MS: '1000',
  });
}

const until = async (what: string, ok: () => boolean, ms: number) => {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

/**
 * A real `npm start` process, killed with SIGKILL while every delivery waits for its retry: after
 * the restart each event still arrives (the retries are rows in the SQLite queue). This test runs
 * on the real clock because it crosses process boundaries: the one retry it waits for is 5 s ±20 %.
 */
describe('kill -9 between webhook attempts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dfs-whkill-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('every event is delivered after the restart', async () => {
    expect(existsSync(MAIN)).toBe(true); // `npm test` builds dist/ first
    const receiver = await startReceiver();
    receiver.always({ status: 503 });
    const first = await startProcess(dir);
    let second: Awaited<ReturnType<typeof startProcess>> | null = null;
    try {
      const headers = { 'content-type': 'application/json', 'x-api-key': KEY };
      const sub = await fetch(`${first.url}/api/hooks/sms-status-changed`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ callbackUrl: receiver.url() }),
      });
      expect(sub.status).toBe(201);
      for (let i = 0; i < 20; i++) {
        const res = await fetch(`${first.url}/api/messages`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ to: '+14155550123', text: `kill ${i}` }),
        });
        expect(res.status).toBe(202);
      }
      // 20 messages: sent + delivered = 40 events, each attempted once and failed.
      await until('40 failed first attempts', () => new Set(receiver.received.map((w) => w.headers['webhook-id'])).size >= 40, 20_000);
      await first.stop('SIGKILL');

      const db = new Database(join(dir, 'dataflows-sms.db'), { readonly: true });
      const expected = (db.prepare("SELECT id FROM outbox WHERE type = 'sms.status_changed'").all() as { id: string }[])
        .map((r) => r.id)
        .sort();
      const waiting = (
        db.prepare("SELECT COUNT(*) AS n FROM tasks WHERE queue = 'webhook-deliver' AND state = 'ready'").get() as { n: number }
      ).n;
      db.close();
      expect(expected).toHaveLength(40);
      expect(waiting).toBeGreaterThanOrEqual(40); // the retries, stored before the kill

      receiver.clear();
      receiver.always({ status: 200 });
      second = await startProcess(dir);
      await until('every event delivered', () => new Set(receiver.received.map((w) => w.headers['webhook-id'])).size >= 40, 30_000);
      expect([...new Set(receiver.received.map((w) => w.headers['webhook-id']!))].sort()).toEqual(expected);
    } finally {
      await first.stop('SIGKILL');
      if (second) await second.stop('SIGTERM');
      await receiver.close();
    }
  }, 60_000);
});
