import { withQuery } from './query.js'

/** A logout request to the authorization server. */
export interface EndSessionRequest {
  /** The server's logout endpoint: `end_session_endpoint`, or Auth0's `/v2/logout`. */
  endSessionEndpoint: string
  /** Sent as `client_id`, so the server can check `returnTo` against this client's list. */
  clientId: string
  /** Where the server sends the browser afterwards; must be registered with the server. */
  returnTo?: string | undefined
  /**
   * The ID token, for servers that require `id_token_hint`. Off by default: it puts the ID token
   * in a URL, and so in history and server logs.
   */
  idTokenHint?: string | undefined
  /**
   * `state` (OIDC RP-Initiated Logout 1.0 §2), sent with an OIDC `returnTo` only: some servers
   * (Glewlwyd) ignore `post_logout_redirect_uri` without one and leave the user on their page.
   * Auth0's `/v2/logout` has no such parameter.
   */
  state?: string | undefined
  /** `auth0`: `/v2/logout?client_id&returnTo`; `oidc`: OIDC RP-Initiated Logout 1.0 §2. */
  style: 'auth0' | 'oidc'
}

/**
 * The URL that ends the session at the authorization server.
 *
 * @example
 * ```ts
 * buildEndSessionUrl({ endSessionEndpoint: 'https://tenant.auth0.com/v2/logout', clientId: 'abc',
 *   returnTo: 'https://app.example.com/', style: 'auth0' })
 * // 'https://tenant.auth0.com/v2/logout?client_id=abc&returnTo=https%3A%2F%2Fapp.example.com%2F'
 * ```
 */
export const buildEndSessionUrl = (request: EndSessionRequest): string => {
  const returnTo = request.returnTo || undefined
  const oidc = request.style !== 'auth0'
  return withQuery(request.endSessionEndpoint, {
    client_id: request.clientId,
    [oidc ? 'post_logout_redirect_uri' : 'returnTo']: returnTo,
    id_token_hint: request.idTokenHint || undefined,
    state: oidc && returnTo ? request.state : undefined,
  })
}
