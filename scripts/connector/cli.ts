import { join } from 'node:path';
import { ConnectorOptionsError } from '../../shared/connector/options';
import { buildConnectorFiles, checkConnectorFiles } from './files';
import { repoRoot } from './validate';

/**
 * `npm run connector:build` (node dist/scripts/connector/cli.js build): regenerate connector/.
 * `npm run connector:check` (… check): exit 1 when connector/ is stale, invalid or breaking.
 */
async function main(command: string | undefined): Promise<number> {
  const dir = join(repoRoot(), 'connector');
  if (command === 'build') {
    const { written, problems } = await buildConnectorFiles(dir);
    if (problems.length) {
      console.error(`connector: not written, the generated definition has problems:\n- ${problems.join('\n- ')}`);
      return 1;
    }
    console.log(written.length ? `connector: wrote ${written.join(', ')}` : 'connector: up to date');
    return 0;
  }
  if (command === 'check') {
    const problems = await checkConnectorFiles(dir);
    if (problems.length) {
      console.error(`connector: check failed:\n- ${problems.join('\n- ')}`);
      return 1;
    }
    console.log('connector: committed files match a fresh generation and are valid');
    return 0;
  }
  console.error('usage: cli.js build|check');
  return 2;
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof ConnectorOptionsError ? err.message : err);
    process.exit(1);
  },
);
