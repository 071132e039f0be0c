/**
 * `npm start` as a user meets it: the built entry point in its own process. Keys printed on every
 * start when settings give them, a lost key recovered without wiping the data folder, and start
 * failures told in one line naming the setting to change.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MAIN, runToExit, startHostProcess } from '../fixtures/hostProcess';

const KEY_RESET = resolve(__dirname, '../../dist/shared/local/keyReset.js');

const me = (url: string, key: string) => fetch(`${url}/api/me`, { headers: { 'x-api-key': key } }).then((r) => r.status);
const deadLetters = (url: string, adminKey: string) =>
  fetch(`${url}/api/operator/queues/sms-send/dead-letters`, { headers: { 'x-admin-key': adminKey } }).then((r) => r.status);

describe('npm start', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dfs-start-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe('keys', () => {
    test('prints the keys DEV_API_KEY and ADMIN_API_KEY give on every start, not only the first', async () => {
      const env = { DATA_DIR: dir, DEV_API_KEY: 'dfs_dev_again', ADMIN_API_KEY: 'dfs_op_again' };
      for (const round of ['first', 'second']) {
        const host = await startHostProcess(env);
        try {
          const banner = await waitFor(host.stdout, /Operator key[^\n]*\n/);
          expect({ round, dev: banner.includes('API key (DEV_API_KEY): dfs_dev_again') }).toEqual({ round, dev: true });
          expect({ round, op: banner.includes('(X-Admin-Key, ADMIN_API_KEY): dfs_op_again') }).toEqual({ round, op: true });
          expect(await me(host.url, 'dfs_dev_again')).toBe(200);
        } finally {
          await host.stop('SIGTERM');
        }
      }
    });

    test('a lost generated key: a restart with DEV_API_KEY gives the development account that key', async () => {
      const first = await startHostProcess({ DATA_DIR: dir });
      let generated = '';
      let accountId = '';
      try {
        const banner = await waitFor(first.stdout, /Operator key[^\n]*\n/);
        generated = /API key, shown only now: (\S+)/.exec(banner)![1]!;
        accountId = /Development account (acc_\w+)/.exec(banner)![1]!;
        expect(await me(first.url, generated)).toBe(200);
      } finally {
        await first.stop('SIGTERM');
      }

      const second = await startHostProcess({ DATA_DIR: dir, DEV_API_KEY: 'dfs_dev_chosen' });
      try {
        const again = await waitFor(second.stdout, /Operator key[^\n]*\n/);
        expect(again).toContain(`Development account ${accountId}. Its API key (DEV_API_KEY): dfs_dev_chosen (given to it on this start`);
        expect(await me(second.url, 'dfs_dev_chosen')).toBe(200);
        expect(await me(second.url, generated)).toBe(401);
      } finally {
        await second.stop('SIGTERM');
      }
    });

    test('npm run key:reset issues a new account key that a running host takes at once, and a new operator key', async () => {
      const host = await startHostProcess({ DATA_DIR: dir });
      let oldAdmin = '';
      try {
        const banner = await waitFor(host.stdout, /Operator key[^\n]*\n/);
        const oldKey = /API key, shown only now: (\S+)/.exec(banner)![1]!;
        oldAdmin = /Operator key \(X-Admin-Key\), shown only now: (\S+)/.exec(banner)![1]!;
        const accountId = /Development account (acc_\w+)/.exec(banner)![1]!;
        const reset = await runToExit(KEY_RESET, { DATA_DIR: dir }, [accountId]);
        expect(reset).toMatchObject({ code: 0, stderr: '' });
        const newKey = /shown only now: (\S+)/.exec(reset.stdout)![1]!;
        expect(await me(host.url, newKey)).toBe(200);
        expect(await me(host.url, oldKey)).toBe(401);
        const unknown = await runToExit(KEY_RESET, { DATA_DIR: dir }, ['acc_nobody']);
        expect(unknown.code).toBe(1);
        expect(unknown.stderr).toContain(`no account acc_nobody. Accounts: ${accountId} (Development account)`);
      } finally {
        await host.stop('SIGTERM');
      }
      const operator = await runToExit(KEY_RESET, { DATA_DIR: dir }, ['--operator']);
      expect(operator.code).toBe(0);
      const newAdmin = /shown only now: (\S+)/.exec(operator.stdout)![1]!;
      const restarted = await startHostProcess({ DATA_DIR: dir });
      try {
        expect(await deadLetters(restarted.url, newAdmin)).toBe(200);
        expect(await deadLetters(restarted.url, oldAdmin)).toBe(401);
      } finally {
        await restarted.stop('SIGTERM');
      }
      expect((await runToExit(KEY_RESET, { DATA_DIR: join(dir, 'elsewhere') }, ['--operator'])).stderr).toMatch(
        /^no database in DATA_DIR .*elsewhere: set DATA_DIR/,
      );
    });
  });

  describe('start failures: one line naming the setting, a non-zero exit, no stack trace', () => {
    const expectOneLine = (stderr: string, pattern: RegExp) => {
      expect(stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(pattern)]);
      expect(stderr).not.toMatch(/\n\s+at /);
    };

    test('the port is in use', async () => {
      const blocker: Server = createServer();
      await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
      const port = (blocker.address() as { port: number }).port;
      try {
        const run = await runToExit(MAIN, { DATA_DIR: dir, PORT: String(port) });
        expect(run.code).toBe(2);
        expectOneLine(
          run.stderr,
          new RegExp(`^failed to start: PORT ${port} is already in use on 127\\.0\\.0\\.1: set PORT to a free port`),
        );
      } finally {
        blocker.close();
      }
    });

    test('DATA_DIR cannot be created (a path under a regular file: tests run as root, so no chmod)', async () => {
      const file = join(dir, 'a-file');
      writeFileSync(file, 'not a folder');
      const run = await runToExit(MAIN, { DATA_DIR: join(file, 'sub') });
      expect(run.code).toBe(2);
      expectOneLine(
        run.stderr,
        /^failed to start: DATA_DIR \S+a-file\/sub cannot hold the database \(ENOTDIR: .*\): set DATA_DIR to a folder/,
      );
    });

    test('DATA_DIR holds something that is not the database', async () => {
      writeFileSync(join(dir, 'dataflows-sms.db'), 'x'.repeat(4096));
      const run = await runToExit(MAIN, { DATA_DIR: dir });
      expect(run.code).toBe(2);
      expectOneLine(run.stderr, /^failed to start: DATA_DIR \S+ cannot hold the database \(SQLITE_NOTADB: .*\): set DATA_DIR/);
    });

    test('HOST is not an address of this machine', async () => {
      const run = await runToExit(MAIN, { DATA_DIR: dir, HOST: '192.0.2.1' });
      expect(run.code).toBe(2);
      expectOneLine(run.stderr, /^failed to start: HOST 192\.0\.2\.1 is not an address of this machine: set HOST to/);
    });
  });
});

/** Waits until the output matches (the banner may arrive in more than one chunk). */
async function waitFor(output: () => string, pattern: RegExp): Promise<string> {
  for (let i = 0; i < 200 && !pattern.test(output()); i++) await new Promise((r) => setTimeout(r, 25));
  expect(output()).toMatch(pattern);
  return output();
}
