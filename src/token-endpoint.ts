import { defined } from './defined.js'
import { fail, quotableErrorCode } from './errors.js'
import { postForm, type RequestOptions } from './request.js'
import type { TokenSet } from './token-store.js'

/** An authorization code grant request (RFC 6749 §4.1.3 + RFC 7636 §4.5). No client secret. */
export interface CodeExchange {
  /** The token endpoint (RFC 6749 §3.2). */
  tokenEndpoint: string
  /** `client_id`: a public client sends it instead of authenticating (RFC 6749 §4.1.3). */
  clientId: string
  /** The authorization code from the callback; single use. */
  code: string
  /** Exactly the `redirect_uri` of the authorization request (RFC 6749 §4.1.3). */
  redirectUri: string
  /** The `code_verifier` whose challenge went to `/authorize` (RFC 7636 §4.5). */
  codeVerifier: string
}

/** A refresh token grant request (RFC 6749 §6). */
export interface RefreshRequest {
  /** The token endpoint (RFC 6749 §3.2). */
  tokenEndpoint: string
  /** `client_id`: a public client sends it instead of authenticating (RFC 6749 §3.2.1). */
  clientId: string
  /** The refresh token; with rotation it is spent by this request (RFC 9700 §4.14.2). */
  refreshToken: string
  /** Ask for less than was granted; left out, the server keeps the granted scope. */
  scope?: string
  /** Auth0's `audience`, sent when set. */
  audience?: string
}

/**
 * POSTs a grant to the token endpoint as a form and checks the answer (RFC 6749 §5.1): status
 * 200, a JSON object, a non-empty `access_token`, `token_type` equal to `tokenType`
 * (case-insensitive; Bearer unless the DPoP add-on asked for DPoP). An `expires_in` that is not
 * a positive finite number means the expiry is unknown. `Retry-After` (RFC 9110 §10.2.3), as
 * seconds or an HTTP date, is kept on the error.
 *
 * @throws {@link AuthError} `token_error` for an OAuth error answer (RFC 6749 §5.2), else
 * `invalid_response`, `network_error` or `timeout`.
 */
export const requestTokens = async (
  tokenEndpoint: string,
  grant: Record<string, string | undefined>,
  options?: RequestOptions,
  tokenType: TokenSet['tokenType'] = 'Bearer',
): Promise<TokenSet> => {
  const { response, json } = await postForm(tokenEndpoint, grant, options)
  const now = Date.now()
  const { status, headers } = response
  // A body that is not a JSON object (null, an array, a number) reads as one with no members.
  const answer: Record<string, unknown> = Object(json)
  const text = (name: string) =>
    typeof answer[name] === 'string' && answer[name] ? (answer[name] as string) : undefined
  const retryAfterHeader = headers.get('retry-after') ?? ''
  const wait = Math.ceil(
    /^\d+$/.test(retryAfterHeader)
      ? +retryAfterHeader
      : (Date.parse(retryAfterHeader) - now) / 1000,
  )
  const retryAfter = wait >= 0 ? wait : undefined
  const error = text('error')
  if (status !== 200 && error) {
    fail(
      'token_error',
      `Token endpoint: ${status} ${quotableErrorCode(error)}, see errorDescription`,
      {
        error,
        status,
        errorDescription: text('error_description')?.slice(0, 500),
        retryAfter,
      },
    )
  }
  const accessToken = text('access_token')
  // RFC 9449 §5: a server that answers Bearer when DPoP was asked did not bind the token; such a
  // token is refused rather than used unbound (fail closed).
  if (
    status !== 200 ||
    !accessToken ||
    text('token_type')?.toLowerCase() !== tokenType.toLowerCase()
  ) {
    fail('invalid_response', `No ${tokenType} token from token endpoint (${status}): check it`, {
      status,
      retryAfter,
    })
  }
  const expiresIn = answer.expires_in
  const expiresAt = now + (expiresIn as number) * 1000
  return defined<TokenSet>({
    accessToken,
    tokenType,
    expiresAt:
      typeof expiresIn === 'number' && expiresIn > 0 && expiresAt < Infinity
        ? expiresAt
        : undefined,
    refreshToken: text('refresh_token'),
    idToken: text('id_token'),
    scope: text('scope'),
  })
}

/**
 * Exchanges an authorization code for tokens: `grant_type=authorization_code` with the
 * `code_verifier` and no client secret. A code is single use, so this is never retried.
 *
 * @throws {@link AuthError} `token_error` for an OAuth error answer (RFC 6749 §5.2, such as
 * `invalid_grant` for a used or expired code), else `invalid_response`, `network_error` or `timeout`.
 * @example
 * ```ts
 * const tokens = await exchangeCode({ tokenEndpoint, clientId, code, redirectUri, codeVerifier })
 * ```
 */
export const exchangeCode = (request: CodeExchange, options?: RequestOptions): Promise<TokenSet> =>
  requestTokens(
    request.tokenEndpoint,
    {
      grant_type: 'authorization_code',
      client_id: request.clientId,
      code: request.code,
      redirect_uri: request.redirectUri,
      code_verifier: request.codeVerifier,
    },
    options,
  )

/**
 * Uses a refresh token for a new token set. The answer may carry a new refresh token
 * (rotation); the caller keeps the newest one.
 *
 * @throws {@link AuthError} `token_error` for an OAuth error answer (RFC 6749 §5.2; `invalid_grant`
 * means log in again), else `invalid_response`, `network_error` or `timeout`.
 * @example
 * ```ts
 * if (tokens.refreshToken) {
 *   const next = await refreshTokens({ tokenEndpoint, clientId, refreshToken: tokens.refreshToken })
 *   tokens = { ...next, refreshToken: next.refreshToken ?? tokens.refreshToken }
 * }
 * ```
 */
export const refreshTokens = (
  request: RefreshRequest,
  options?: RequestOptions,
): Promise<TokenSet> =>
  requestTokens(
    request.tokenEndpoint,
    {
      grant_type: 'refresh_token',
      client_id: request.clientId,
      refresh_token: request.refreshToken,
      scope: request.scope,
      audience: request.audience,
    },
    options,
  )
