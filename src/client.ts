import { type AuthorizeParams, assertAuthorizeParams, authorizeUrl } from './authorize.js'
import {
  CALLBACK_PARAMS,
  type CallbackParams,
  isCallbackUrl,
  parseCallbackUrl,
} from './callback.js'
import { defined } from './defined.js'
import { discover } from './discovery.js'
import { type AuthError, fail, quotableErrorCode } from './errors.js'
import { checkIdTokenClaims } from './id-token.js'
import { decodeJwt, type JwtClaims } from './jwt.js'
import {
  assertClientOptions,
  type ClientOptions,
  type Endpoints,
  type Navigate,
} from './options.js'
import { createCodeChallenge, createCodeVerifier } from './pkce.js'
import { withQuery } from './query.js'
import { createRandomState } from './random.js'
import { postForm } from './request.js'
import { requestTokens } from './token-endpoint.js'
import {
  type ChangeReason,
  createTokenStore,
  type TokenListener,
  type TokenSet,
} from './token-store.js'
import { saveTransaction, takeTransaction } from './transaction.js'

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
  /** True when the URL (default: the page's) carries an authorization response. */
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
   * `fetch` with `Authorization: Bearer` (RFC 6750 §2.1), refreshing and retrying once on a 401
   * `invalid_token`. The token is only sent to {@link ClientOptions.apiOrigins}.
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

/** The authorization server as a client knows it, after discovery if there was any. */
interface Server {
  issuer: string
  /** {@link Endpoints.authorization} */
  authorization?: string | undefined
  /** {@link Endpoints.token} */
  token?: string | undefined
  /** {@link Endpoints.endSession} */
  endSession?: string | undefined
  /** {@link Endpoints.revocation} */
  revocation?: string | undefined
  /** RFC 9207 §2.4: the server promised to send `iss`, so its absence is an attack. */
  requireIss?: boolean | undefined
}

/** Same scheme, host and path: where a response arrives, whatever its query. */
const sameEndpoint = (a: string, b: string) => {
  const [x, y] = [new URL(a), new URL(b)]
  return x.protocol === y.protocol && x.host === y.host && x.pathname === y.pathname
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
  // Requests are built here from their protocol parameter names (authorizeUrl, requestTokens),
  // so an app that uses a client does not also carry the camelCase wrappers (buildAuthorizeUrl,
  // exchangeCode, refreshTokens). `options` doubles as the request options: `fetch`, `timeoutMs`.
  assertClientOptions(options)
  const { clientId, redirectUri } = options
  const leewaySeconds = options.leewaySeconds ?? 60
  const ttlMs = (options.transactionTtlSeconds ?? 600) * 1000
  const store = createTokenStore()
  const domain = options.domain?.replace(/^https:\/\/|\/$/g, '')
  const base = `https://${domain}`
  // The issuer is set last, so no stray `endpoints.issuer` can replace it.
  const known: Server = domain
    ? {
        authorization: `${base}/authorize`,
        token: `${base}/oauth/token`,
        endSession: `${base}/v2/logout`,
        revocation: `${base}/oauth/revoke`,
        ...options.endpoints,
        issuer: `${base}/`,
      }
    : { ...options.endpoints, issuer: options.issuer as string }
  let discovered: Promise<Server> | undefined
  /** Endpoints from `domain`, from `endpoints`, or from discovery: fetched once, shared, retried after a failure. */
  const server = (): Server | Promise<Server> => {
    if (known.authorization && known.token) return known
    discovered ??= discover(known.issuer, options).then(
      (metadata): Server => ({
        authorization: metadata.authorization_endpoint,
        token: metadata.token_endpoint,
        endSession: metadata.end_session_endpoint,
        revocation: metadata.revocation_endpoint,
        ...known,
        requireIss: metadata.authorization_response_iss_parameter_supported,
      }),
      (error: unknown) => {
        discovered = undefined
        throw error
      },
    )
    return discovered
  }
  let refreshing: Promise<string> | undefined
  let retryNotBefore = 0
  let retryError: AuthError | undefined

  const storage = () =>
    options.storage ??
    globalThis.sessionStorage ??
    fail('invalid_config', 'No sessionStorage: pass storage')
  const navigate = (url: string, override?: Navigate) =>
    (override ?? options.navigate ?? ((href: string) => location.assign(href)))(url)

  /** When the current access token counts as expired; set whenever the tokens change. */
  let refreshAt = Infinity
  const keep = (tokens: TokenSet | undefined, reason: ChangeReason) => {
    const expiresAt = tokens?.expiresAt ?? Infinity
    // `leewaySeconds` early, but never earlier than half the token's life: a token that lives
    // less than the leeway would otherwise be refreshed on every call.
    refreshAt = expiresAt - Math.min(leewaySeconds * 1000, (expiresAt - Date.now()) / 2)
    store.set(tokens, reason)
  }
  const isExpired = () => Date.now() >= refreshAt

  const createAuthorizeUrl = async (login: LoginOptions = {}): Promise<string> => {
    const scope = login.scope ?? options.scope ?? 'openid profile email'
    const audience = login.audience ?? options.audience
    const extraParams = { ...options.authorizeParams, ...login.authorizeParams }
    assertAuthorizeParams(extraParams)
    const { authorization } = await server()
    // Fresh secrets for every request, also after a failed one (RFC 9700 §2.1.1).
    const codeVerifier = createCodeVerifier()
    const state = createRandomState()
    const nonce = scope.split(' ').includes('openid') ? createRandomState() : undefined
    const url = authorizeUrl(
      authorization as string,
      {
        client_id: clientId,
        redirect_uri: redirectUri,
        scope,
        audience,
        state,
        nonce,
        code_challenge: await createCodeChallenge(codeVerifier),
      },
      extraParams,
    )
    saveTransaction(
      storage(),
      clientId,
      {
        state,
        codeVerifier,
        nonce,
        redirectUri,
        scope,
        audience,
        appState: login.appState,
        createdAt: Date.now(),
      },
      ttlMs,
    )
    return url
  }

  const handleRedirectCallback = async (
    url: string | URL = location.href,
  ): Promise<RedirectResult> => {
    const href = String(url)
    let params: CallbackParams
    try {
      params = parseCallbackUrl(href)
    } finally {
      // Before the first await (security.md rule 8), also when the response is malformed: a
      // reload, a bookmark or a Referer must never carry it.
      if (isCallbackUrl(href) && href === globalThis.location?.href) {
        const clean = new URL(href)
        for (const name of CALLBACK_PARAMS) clean.searchParams.delete(name)
        history.replaceState(history.state, '', clean.href)
      }
    }
    // Only a response delivered at the redirect URI is ours to handle (RFC 8252 §7; security.md
    // rule 18): a deep link or page elsewhere is refused without spending the pending login.
    if (!sameEndpoint(href, redirectUri)) {
      fail('invalid_callback', 'Not at redirectUri: handle it there')
    }
    // Checked first, and the transaction is spent now: one exchange per code (RFC 6749 §10.12).
    const transaction = takeTransaction(storage(), clientId, params.state, ttlMs)
    const { issuer, token, requireIss } = await server()
    if (params.iss === undefined ? requireIss : params.iss !== issuer) {
      fail('issuer_mismatch', `iss ${params.iss ?? 'missing'}, expected ${issuer}: log in again`)
    }
    if (params.error) {
      fail(
        'authorization_error',
        `Login refused (${quotableErrorCode(params.error)}): see errorDescription`,
        {
          error: params.error,
          errorDescription: params.errorDescription,
          errorUri: params.errorUri,
        },
      )
    }
    const tokens = await requestTokens(
      token as string,
      {
        grant_type: 'authorization_code',
        client_id: clientId,
        code: params.code,
        redirect_uri: transaction.redirectUri,
        code_verifier: transaction.codeVerifier,
      },
      options,
    )
    // Any failure here discards the whole response (RFC 9700 §4.5.3.2): nothing is stored yet.
    if (tokens.idToken) {
      checkIdTokenClaims(tokens.idToken, issuer, clientId, leewaySeconds, transaction.nonce)
    } else if (transaction.nonce) {
      fail('invalid_id_token', 'No id_token for openid: check server')
    }
    keep(tokens, 'login')
    return { appState: transaction.appState, tokens }
  }

  const refresh = (current: TokenSet): Promise<string> =>
    (refreshing ??= (async () => {
      if (Date.now() < retryNotBefore) throw retryError
      const { issuer, token } = await server()
      let next: TokenSet
      try {
        next = await requestTokens(
          token as string,
          { grant_type: 'refresh_token', client_id: clientId, refresh_token: current.refreshToken },
          options,
        )
      } catch (error) {
        const { retryAfter } = error as AuthError
        if (retryAfter) {
          retryNotBefore = Date.now() + retryAfter * 1000
          retryError = error as AuthError
        }
        if ((error as AuthError).error !== 'invalid_grant') throw error
        if (store.get() === current) keep(undefined, 'error')
        return fail('login_required', 'Refresh token refused: log in again', { cause: error })
      }
      // A late answer after logout or a new login must not bring the old session back.
      if (store.get() !== current) fail('login_required', 'Logged out during refresh: log in again')
      if (next.idToken) {
        try {
          const claims = checkIdTokenClaims(next.idToken, issuer, clientId, leewaySeconds)
          const before = current.idToken && decodeJwt(current.idToken).payload
          // OIDC Core §12.2: a refreshed ID token is about the same user, for the same client.
          if (before && (claims.sub !== before.sub || String(claims.aud) !== String(before.aud))) {
            fail('invalid_id_token', 'ID token changed user: log in again')
          }
        } catch (error) {
          // Rule 14: the whole response is discarded, and with rotation the current refresh
          // token is already spent, so nothing of the session is worth keeping.
          keep(undefined, 'error')
          throw error
        }
      }
      // Rotation: keep the newest refresh token, or the current one when none came back.
      keep(
        defined<TokenSet>({
          refreshToken: current.refreshToken,
          idToken: current.idToken,
          ...next,
        }),
        'refresh',
      )
      return next.accessToken
    })().finally(() => {
      refreshing = undefined
    }))

  const getAccessToken = async ({ forceRefresh }: GetAccessTokenOptions = {}): Promise<string> => {
    const tokens = store.get()
    if (tokens && !forceRefresh && !isExpired()) return tokens.accessToken
    if (tokens?.refreshToken) return refresh(tokens)
    if (tokens && isExpired()) keep(undefined, 'expired')
    return fail('login_required', 'No valid or refresh token: call login()')
  }

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
        `Bearer ${await getAccessToken({ forceRefresh: !!forceRefresh })}`,
      )
      return fetchWith(req)
    }
    const response = await send(request)
    // RFC 6750 §3.1: the API says the token is bad (revoked, rotated key): refresh once, retry once.
    return response.status === 401 &&
      /Bearer.*\berror="?invalid_token\b/is.test(response.headers.get('www-authenticate') ?? '') &&
      store.get()?.refreshToken
      ? send(spare, true)
      : response
  }

  const logout = async (logoutOptions: LogoutOptions = {}): Promise<void> => {
    const tokens = store.get()
    keep(undefined, 'logout')
    if (logoutOptions.localOnly) return
    const { revocation, endSession } = await server()
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

  return {
    createAuthorizeUrl,
    login: async (login = {}) => navigate(await createAuthorizeUrl(login), login.navigate),
    isCallback: (url = location.href) => isCallbackUrl(url),
    handleRedirectCallback,
    getAccessToken,
    getTokens: store.get,
    getUser: () => {
      const idToken = store.get()?.idToken
      return idToken ? decodeJwt(idToken).payload : undefined
    },
    isAuthenticated: () => {
      const tokens = store.get()
      return !!tokens && (!isExpired() || !!tokens.refreshToken)
    },
    subscribe: store.subscribe,
    fetch: authorizedFetch,
    logout,
  }
}
