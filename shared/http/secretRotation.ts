/** Request and answer of the two secret rotations (a subscription's secret, the account's callback secret). */
import { DEFAULT_SECRET_OVERLAP_HOURS, MAX_SECRET_OVERLAP_HOURS, type PreviousSigningSecret } from '../domain/signingSecrets';
import { int, nullable, obj, str } from '../schema/builders';

export const rotateSecretBody = obj('Secret rotation', 'Optionally, how long the replaced secret keeps signing.', {
  overlapHours: int(
    'Overlap (hours)',
    `How long the replaced secret keeps signing beside the new one, so receivers can switch over (0-${MAX_SECRET_OVERLAP_HOURS}, default ${DEFAULT_SECRET_OVERLAP_HOURS}; 0 stops it at once).`,
    {
      minimum: 0,
      maximum: MAX_SECRET_OVERLAP_HOURS,
      default: DEFAULT_SECRET_OVERLAP_HOURS,
    },
  ),
});

export const rotatedSecretSchema = obj(
  'Rotated secret',
  'The new signing secret, shown once.',
  {
    secret: str('Secret', 'The new Standard Webhooks secret: whsec_ followed by the base64 key.'),
    previousSecretExpiresAt: nullable(
      str(
        'Previous secret expires at',
        'Until when the replaced secret also signs (webhook-signature then carries both signatures); null when it stopped at once.',
        { format: 'date-time' },
      ),
    ),
  },
  ['secret', 'previousSecretExpiresAt'],
);

/** The overlap asked for (the body schema checked its range), or the default: bodies get no schema defaults filled in. */
export function overlapHoursOf(body: { overlapHours?: number }): number {
  return body.overlapHours ?? DEFAULT_SECRET_OVERLAP_HOURS;
}

export function rotatedSecretView(secret: string, previous: PreviousSigningSecret | null | undefined) {
  return { secret, previousSecretExpiresAt: previous?.expiresAt ?? null };
}
