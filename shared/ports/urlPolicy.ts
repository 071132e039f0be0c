/**
 * Decides whether the service may call a URL given by a customer (webhook callback URLs): scheme,
 * and every address the host name resolves to (no private, link-local or cloud-metadata targets).
 * The HTTP client applies the same address rule again when it connects, so a DNS answer that
 * changes after the check (rebinding) is refused too.
 */
export interface OutboundUrlPolicy {
  /** Resolves null when the URL may be called, otherwise the reason it may not (for a 4xx). */
  check(url: string): Promise<string | null>;
  /**
   * The same rules without resolving the host name (scheme, credentials, literal addresses), for
   * hot paths such as a message's own callback URL: the full check runs again when it is called.
   */
  checkWithoutLookup(url: string): string | null;
}
