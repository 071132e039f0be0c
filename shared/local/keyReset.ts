import { existsSync } from 'node:fs';
import { replaceApiKey } from '../app/accountKeys';
import { AppError } from '../app/errors';
import { ConfigError, loadConfig, type Config } from '../config/config';
import { createRuntime } from '../config/createRuntime';
import { embeddedDatabaseFile, replaceGeneratedAdminKey } from '../config/sqliteParts';

const USAGE = `usage: npm run key:reset -- <accountId>    a new full-scope API key for the account (its other keys stop working)
       npm run key:reset -- --operator     a new operator key (X-Admin-Key) for the embedded host; restart it to use the key
Reads the same settings as npm start (DATA_DIR, or STORAGE=cosmos for an account key).`;

/**
 * `npm run key:reset`: recovers a lost key without wiping the data folder. Works on the stored data
 * directly, so it needs no key itself; a running host sees a new account key at once.
 */
async function main(args: string[]): Promise<number> {
  const [target, ...rest] = args;
  if (!target || rest.length > 0 || target === '--help') {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const config = loadConfig();
  if (config.storage === 'sqlite' && !existsSync(embeddedDatabaseFile(config))) {
    process.stderr.write(`no database in DATA_DIR ${config.dataDir}: set DATA_DIR to the folder npm start uses (or start the host once)\n`);
    return 2;
  }
  if (target === '--operator') return resetOperatorKey(config);
  const runtime = await createRuntime({ ...config, logLevel: 'error' });
  try {
    const { apiKey } = await replaceApiKey(runtime.deps, target);
    process.stdout.write(`New API key for account ${target}, shown only now: ${apiKey}\nThe account's other keys no longer work.\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof AppError) || err.status !== 404) throw err;
    const { items } = await runtime.deps.store.accounts.list({ limit: 20 });
    process.stderr.write(`no account ${target}. Accounts: ${items.map((a) => `${a.id} (${a.name})`).join(', ') || 'none'}\n`);
    return 1;
  } finally {
    await runtime.close();
  }
}

function resetOperatorKey(config: Config): number {
  if (config.adminApiKey) {
    process.stderr.write('ADMIN_API_KEY is set: the operator key is its value; change the setting to change the key\n');
    return 2;
  }
  if (config.storage !== 'sqlite') {
    process.stderr.write('Azure mode takes the operator key from ADMIN_API_KEY: change the setting (Key Vault) instead\n');
    return 2;
  }
  const key = replaceGeneratedAdminKey(config);
  process.stdout.write(`New operator key (X-Admin-Key), shown only now: ${key}\nA running host takes it after a restart.\n`);
  return 0;
}

main(process.argv.slice(2))
  .then((code) => process.exit(code))
  .catch((err: Error) => {
    process.stderr.write(`${err instanceof ConfigError ? err.message : `key reset failed: ${err.message}`}\n`);
    process.exit(err instanceof ConfigError ? 2 : 1);
  });
