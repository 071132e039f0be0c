import { SCOPES } from '../domain/scopes';
import type { NewKeyInput } from '../app/keyManagement';
import { DEFAULT_ROTATION_GRACE_SECONDS, MAX_ROTATION_GRACE_SECONDS } from '../app/keyManagement';
import { arr, int, nullable, obj, str, strItem, time } from '../schema/builders';
import { inputBody } from './route';

/** The schemas of the key routes, account keys (routes/keys.ts) and operator keys (routes/operatorKeys.ts). */

const scopesField = arr('Scopes', `What the key may do, one scope per route family: ${SCOPES.join(', ')}.`, strItem({ enum: [...SCOPES] }));

export const newKeyBody = inputBody<NewKeyInput>()(
  obj(
    'New API key',
    'A named key with the scopes it needs.',
    {
      name: str('Name', 'What the key is for, e.g. "Power Automate".', { minLength: 1, maxLength: 100 }),
      scopes: scopesField,
      expiresAt: time('Expires at', 'When the key stops working (ISO 8601, in the future); absent: never.'),
    },
    ['name', 'scopes'],
  ),
);

export const newOperatorKeyBody = obj(
  'New operator key',
  'A named operator key (X-Admin-Key).',
  {
    name: str('Name', 'Who or what uses the key.', { minLength: 1, maxLength: 100 }),
    expiresAt: time('Expires at', 'When the key stops working (ISO 8601, in the future); absent: never.'),
  },
  ['name'],
);

export const rotateKeyBody = obj('Key rotation', 'Optionally, how long the replaced secret keeps working.', {
  graceSeconds: int(
    'Grace period',
    `Seconds the replaced secret keeps working (0 to ${MAX_ROTATION_GRACE_SECONDS}, default ${DEFAULT_ROTATION_GRACE_SECONDS}).`,
    { minimum: 0, maximum: MAX_ROTATION_GRACE_SECONDS },
  ),
});

const keyProperties = {
  id: str('Key ID', 'The key.'),
  name: str('Name', 'What the key is for.'),
  prefix: str('Prefix', 'The first characters of the secret, to tell keys apart.'),
  scopes: scopesField,
  createdAt: time('Created at', 'When the key was created.'),
  lastUsedAt: nullable(time('Last used at', 'When the key was last used (updated at most once a minute).')),
  expiresAt: nullable(time('Expires at', 'When the key stops working; null: never.')),
};

export const apiKeySchema = obj('API key', 'A key, without its secret.', keyProperties, [
  'id',
  'name',
  'prefix',
  'scopes',
  'createdAt',
  'lastUsedAt',
  'expiresAt',
]);

export const issuedKeySchema = obj(
  'Issued API key',
  'A key with its secret, shown only this once.',
  {
    ...keyProperties,
    key: str('Secret', 'The key itself: send it in X-API-Key (operator keys: X-Admin-Key). Shown only now.'),
    previousKeyValidUntil: time('Previous secret valid until', 'After a rotation: when the replaced secret stops working.'),
  },
  ['id', 'name', 'prefix', 'scopes', 'createdAt', 'lastUsedAt', 'expiresAt', 'key'],
);

export const keyListSchema = obj(
  'API keys',
  'The keys in force, oldest first.',
  { items: arr('Keys', 'One entry per key.', apiKeySchema) },
  ['items'],
);
