import { LEGACY_SCOPES, migrateLegacyScopes, SCOPES } from '../../shared/domain/scopes';

describe('scopes of keys stored before scopes per family', () => {
  it('a key with every legacy scope (every account key ever issued) gets every scope', () => {
    expect(migrateLegacyScopes([...LEGACY_SCOPES])).toEqual([...SCOPES]);
  });

  it('a partial legacy key gets the scopes covering the routes it could call, and no more', () => {
    expect(migrateLegacyScopes(['messages:read'])).toEqual([
      'messages:read',
      'contacts:read',
      'campaigns:read',
      'keywords:read',
      'account:read',
    ]);
    expect(migrateLegacyScopes(['messages:send', 'webhooks:manage'])).toEqual([
      'messages:send',
      'contacts:write',
      'campaigns:write',
      'keywords:write',
      'hooks:manage',
      'account:read',
    ]);
    expect(migrateLegacyScopes(['sender-ids:manage'])).toEqual(['account:read', 'account:write']);
    expect(migrateLegacyScopes([])).toEqual(['account:read']);
  });

  it("scopes already in today's names pass through", () => {
    expect(migrateLegacyScopes(['keys:manage', 'unknown:scope'])).toEqual(['account:read', 'keys:manage']);
  });
});
