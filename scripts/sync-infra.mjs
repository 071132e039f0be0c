// `npm run infra:sync`: writes the lists infra/ loads with loadJsonContent from the code that
// defines them, so Bicep declares exactly the containers and queues the adapters use:
//   infra/cosmos-containers.json  ← cosmosContainers (shared/adapters/cosmos/containers.ts)
//   infra/queues.json             ← QUEUE_NAMES (shared/ports/taskQueue.ts)
// tests/unit/infra.test.ts fails while they are out of date. Run after `npm run build`.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { cosmosContainers } = require(join(root, 'dist/shared/adapters/cosmos/containers.js'));
const { QUEUE_NAMES } = require(join(root, 'dist/shared/ports/taskQueue.js'));

const write = (file, value) => {
  writeFileSync(join(root, 'infra', file), `${JSON.stringify(value, null, 2)}\n`);
  console.log(`infra/${file} written`);
};
write('cosmos-containers.json', cosmosContainers);
write('queues.json', [...QUEUE_NAMES].sort());
