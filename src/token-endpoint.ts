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

/** Reads `Retry-After` as seconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
const retryAfterSeconds = (value: string | null, now: number): number | undefined => {
  if (!value) return undefined
  const seconds = /^\d+$/.test(value) ? +value : (Date.parse(value) - now) / 1000
  return seconds >= 0 ? Math.ceil(seconds) : undefined
}

const asString = (value: unknown): string | undefined =>
  typeof value === 'string' && value ? value : undefined

/**
 * POSTs a grant to the token endpoint as a form and checks the answer (RFC 6749 §5.1): status
 * 200, a JSON object, a non-empty `access_token`, `token_type` Bearer. An `expires_in` that is not
 * a positive finite number means the expiry is unknown.
 *
 * @throws {@link AuthError} `token_error` for an OAuth error answer (RFC 6749 §5.2), else
 * `invalid_response`, `network_error` or `timeout`.
 */
export const requestTokens = async (
  tokenEndpoint: string,
  grant: Record<string, string | undefined>,
  options?: RequestOptions,
): Promise<TokenSet> => {
  const { response, json } = await postForm(tokenEndpoint, grant, options)
  const now = Date.now()
  const status = response.status
  // A body that is not a JSON object (null, an array, a number) reads as one with no members.
  const answer: Record<string, unknown> = Object(json)
  const retryAfter = retryAfterSeconds(response.headers.get('retry-after'), now)
  const error = asString(answer.error)
  if (status !== 200 && error) {
    const errorDescription = asString(answer.error_description)?.slice(0, 500)
    fail(
      'token_error',
      `Token endpoint refused (${status} ${quotableErrorCode(error)}): see errorDescription`,
      { error, status, errorDescription, retryAfter },
    )
  }
  const accessToken = asString(answer.access_token)
  if (status !== 200 || !accessToken || asString(answer.token_type)?.toLowerCase() !== 'bearer') {
    fail(
      'invalid_response',
      `Token endpoint sent no Bearer token (${status}): check its URL and logs`,
      { status, retryAfter },
    )
  }
  const tokens: TokenSet = { accessToken, tokenType: 'Bearer' }
  const expiresIn = answer.expires_in
  const expiresAt = now + (expiresIn as number) * 1000
  if (typeof expiresIn === 'number' && expiresIn > 0 && expiresAt < Infinity) {
    tokens.expiresAt = expiresAt
  }
  const refreshToken = asString(answer.refresh_token)
  const idToken = asString(answer.id_token)
  const scope = asString(answer.scope)
  if (refreshToken) tokens.refreshToken = refreshToken
  if (idToken) tokens.idToken = idToken
  if (scope) tokens.scope = scope
  return tokens
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
