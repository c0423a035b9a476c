import type { AuthorizeParams } from '../authorize.js'
import type { JwtClaims } from '../jwt.js'
import type { ClientOptions, Navigate } from '../options.js'
import type { TokenListener, TokenSet } from '../token-store.js'

// The public shape of a client and of its calls' options; create-client.ts builds it from the steps.

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

/** Per-login choices; each overrides the client option of the same name for this login only. */
export interface LoginOptions {
  /** Anything JSON-serializable to get back from {@link Client.handleRedirectCallback}; stays in storage, never in the URL. */
  appState?: unknown
  /** The `scope` for this login. */
  scope?: string
  /** The `audience` for this login. */
  audience?: string
  /** Merged over the client's `authorizeParams`. */
  authorizeParams?: AuthorizeParams
  /** Used by {@link Client.login} only. */
  navigate?: Navigate
}

/** What a successful callback yields. */
export interface RedirectResult {
  /** The `appState` given to {@link Client.login}. */
  appState: unknown
  /** The tokens the code was exchanged for; the client now holds them. */
  tokens: TokenSet
}

/** Options of {@link Client.getAccessToken}. */
export interface GetAccessTokenOptions {
  /** Refresh even if the current token is still valid. */
  forceRefresh?: boolean
}

/** A configured latchkey client; see {@link createClient}. */
export interface Client {
  /**
   * Starts a login: stores a new transaction (fresh `state`, `nonce` and PKCE verifier) and
   * navigates to `/authorize`.
   *
   * @example
   * ```ts
   * await auth.login({ appState: { returnTo: location.pathname } })
   * ```
   */
  login(options?: LoginOptions): Promise<void>
  /** Like {@link Client.login} but returns the URL instead of navigating (native apps open it themselves). */
  createAuthorizeUrl(options?: LoginOptions): Promise<string>
  /**
   * True when the URL (default: the page's) carries an authorization response at `redirectUri`
   * (`state` and `code` or `error`, same scheme, host and path): another page's `?code&state`
   * is not the client's to handle.
   */
  isCallback(url?: string | URL): boolean
  /**
   * Finishes a login from the redirect URL (default: the page's). It removes the response from
   * the address bar, spends the transaction its `state` names, checks `iss` (RFC 9207), exchanges
   * the code with the verifier and checks the ID token's claims. Nothing is kept unless every
   * check passes.
   *
   * @throws {@link AuthError} `not_a_callback`, `invalid_callback`, `state_mismatch`,
   * `missing_transaction`, `transaction_expired`, `issuer_mismatch`, `authorization_error` (the
   * server refused: see {@link AuthError.error}), `token_error`, `invalid_response`,
   * `invalid_id_token`, `network_error` or `timeout`.
   *
   * In a popup or hidden iframe started by `loginWithPopup` or `authenticateSilently`, it hands
   * the response to the window that started the login instead, and never settles: that window
   * finishes the login, and closes the popup or removes the iframe.
   * @example
   * ```ts
   * if (auth.isCallback()) {
   *   const { appState } = await auth.handleRedirectCallback()
   *   history.replaceState(null, '', safeReturnTo((appState as { returnTo?: string })?.returnTo))
   * }
   * ```
   */
  handleRedirectCallback(url?: string | URL): Promise<RedirectResult>
  /**
   * A valid access token, refreshed when needed (`leewaySeconds` before it expires). Concurrent
   * calls share one refresh.
   *
   * @throws {@link AuthError} `login_required` when there is no usable token and no refresh
   * token, or the server refused the refresh token (`invalid_grant`); else what the refresh threw.
   */
  getAccessToken(options?: GetAccessTokenOptions): Promise<string>
  /** The current tokens, from memory. */
  getTokens(): TokenSet | undefined
  /** The claims of the validated ID token. */
  getUser(): JwtClaims | undefined
  /** True while there is an unexpired access token or a refresh token to get one. */
  isAuthenticated(): boolean
  /** Calls the listener on every token change; returns the function that unsubscribes. */
  subscribe(listener: TokenListener): () => void
  /**
   * `fetch` with `Authorization: Bearer` (RFC 6750 §2.1; `DPoP` with the DPoP add-on), refreshing
   * and retrying once on a 401 whose challenge says `invalid_token`, or whose `WWW-Authenticate`
   * the API's CORS hides (expose it, so other 401s are not retried). The token is only sent to
   * {@link ClientOptions.apiOrigins}.
   *
   * @throws {@link AuthError} `invalid_config` for another origin, or what
   * {@link Client.getAccessToken} throws.
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
