import { type CoreClient, createCore } from './core-client.js'
import { fail } from './errors.js'
import type { ClientOptions, Navigate } from './options.js'
import { withQuery } from './query.js'
import { postForm } from './request.js'

/** Options of {@link Client.logout}. */
export interface LogoutOptions {
  /** Where the server should send the browser afterwards (registered with the server). */
  returnTo?: string
  /** Only forget the tokens here: no revocation, no navigation. */
  localOnly?: boolean
  /** Send the ID token as `id_token_hint`, for servers that demand it (it then appears in a URL). */
  idTokenHint?: boolean
  /** How to open the logout URL, for this logout only. */
  navigate?: Navigate
}

/** A configured latchkey client; see {@link createClient}. */
export interface Client extends CoreClient {
  /**
   * `fetch` with `Authorization: Bearer` (RFC 6750 §2.1), refreshing and retrying once on a 401
   * `invalid_token`. The token is only sent to {@link ClientOptions.apiOrigins}.
   *
   * @throws {@link AuthError} `invalid_config` for another origin, or what
   * {@link CoreClient.getAccessToken} throws.
   * @example
   * ```ts
   * const messages = await (await auth.fetch('/api/messages')).json()
   * ```
   */
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>
  /**
   * Forgets the tokens, revokes the refresh token (RFC 7009, best effort) when the server has a
   * revocation endpoint, and navigates to the end-session endpoint when it has one.
   *
   * @example
   * ```ts
   * await auth.logout({ returnTo: location.origin })
   * ```
   */
  logout(options?: LogoutOptions): Promise<void>
}

/**
 * Creates a client for one application at one authorization server. Nothing is fetched or
 * stored until it is used. With `issuer` alone, the endpoints come from its discovery document.
 *
 * @throws {@link AuthError} `invalid_config` naming the option at fault.
 * @example
 * ```ts
 * const auth = createClient({
 *   domain: 'tenant.auth0.com',
 *   clientId: 'abc',
 *   redirectUri: location.origin + '/callback',
 *   audience: 'https://api.example.com',
 * })
 * if (auth.isCallback()) await auth.handleRedirectCallback()
 * else if (!auth.isAuthenticated()) await auth.login()
 * ```
 */
export const createClient = (options: ClientOptions): Client => {
  const { client, server, keep, navigate, domain } = createCore(options)
  const { clientId } = options
  const fetchWith = (request: Request) => (options.fetch ?? fetch)(request)
  const apiOrigins = options.apiOrigins ?? [
    globalThis.location?.origin,
    /^https:\/\//.test(options.audience ?? '')
      ? new URL(options.audience as string).origin
      : undefined,
  ]

  const authorizedFetch = async (
    input: RequestInfo | URL,
    init?: RequestInit,
  ): Promise<Response> => {
    const request = new Request(input, init)
    const { origin } = new URL(request.url)
    if (!apiOrigins.includes(origin)) {
      fail('invalid_config', `${origin} not in apiOrigins: add it`)
    }
    const spare = request.clone()
    const send = async (req: Request, forceRefresh?: boolean) => {
      req.headers.set(
        'authorization',
        `Bearer ${await client.getAccessToken({ forceRefresh: !!forceRefresh })}`,
      )
      return fetchWith(req)
    }
    const response = await send(request)
    // RFC 6750 §3.1: the API says the token is bad (revoked, rotated key): refresh once, retry once.
    return response.status === 401 &&
      /Bearer.*\berror="?invalid_token\b/is.test(response.headers.get('www-authenticate') ?? '') &&
      client.getTokens()?.refreshToken
      ? send(spare, true)
      : response
  }

  const logout = async (logoutOptions: LogoutOptions = {}): Promise<void> => {
    const tokens = client.getTokens()
    keep(undefined, 'logout')
    if (logoutOptions.localOnly) return
    // Auth0's logout and revocation paths, unless `endpoints` names others.
    const {
      revocation = domain && `https://${domain}/oauth/revoke`,
      endSession = domain && `https://${domain}/v2/logout`,
    } = await server()
    if (tokens?.refreshToken && revocation) {
      // Best effort (RFC 7009 §2.2.1): the local session is gone whatever the server answers.
      await postForm(
        revocation,
        { client_id: clientId, token: tokens.refreshToken, token_type_hint: 'refresh_token' },
        options,
      ).catch(() => {})
    }
    if (endSession) {
      await navigate(
        withQuery(endSession, {
          client_id: clientId,
          // Auth0's /v2/logout calls it returnTo; OIDC RP-Initiated Logout 1.0 §3 does not.
          [domain ? 'returnTo' : 'post_logout_redirect_uri']: logoutOptions.returnTo || undefined,
          id_token_hint: (logoutOptions.idTokenHint && tokens?.idToken) || undefined,
        }),
        logoutOptions.navigate,
      )
    }
  }

  return { ...client, fetch: authorizedFetch, logout }
}
